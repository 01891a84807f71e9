//! The rows of one person's memories: the query every read of them starts
//! from, and a cheap count.

use backbone_entities::memory::entry as memory;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use subgraph_kit::ApiResult;
use uuid::Uuid;

/// A person's memories, unordered.
pub fn mine(tenant_id: Uuid, user_id: Uuid) -> sea_orm::Select<memory::Entity> {
    memory::Entity::find()
        .filter(memory::Column::TenantId.eq(tenant_id))
        .filter(memory::Column::UserId.eq(user_id))
}

/// `COUNT(id)` of a select. SeaORM's own `count()` wraps the whole select
/// (every column, vectors included) in a subquery, which reads ~1 kB per
/// row here.
pub async fn count(db: &impl ConnectionTrait, q: sea_orm::Select<memory::Entity>) -> ApiResult<u64> {
    use sea_orm::QuerySelect;
    let n: Option<i64> =
        q.select_only().column_as(Expr::col(memory::Column::Id).count(), "n").into_tuple().one(db).await?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}
