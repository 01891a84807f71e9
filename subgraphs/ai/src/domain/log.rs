//! Reading the AI request log (the gateway writes it).

use backbone_entities::ai::request_log;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use subgraph_kit::{
    ApiResult,
    pagination::{Page, Paged},
};
use uuid::Uuid;

/// A page of `tenant_id`'s logged calls, newest first; only `user`'s when
/// given.
pub async fn requests(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user: Option<Uuid>,
    page: &Page,
) -> ApiResult<Paged<request_log::Model>> {
    let mut q = request_log::Entity::find().filter(request_log::Column::TenantId.eq(tenant_id));
    if let Some(user) = user {
        q = q.filter(request_log::Column::UserId.eq(user));
    }
    if let Some(after) = page.after_id()? {
        q = q.filter(request_log::Column::Id.lt(after));
    }
    let rows = q.order_by_desc(request_log::Column::Id).limit(page.limit()).all(db).await?;
    Ok(page.split(rows))
}
