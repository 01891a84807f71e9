//! Memory's side of the data contract: a person's memories (without their
//! vectors) out, and every memory and counter row of theirs erased.

use async_trait::async_trait;
use backbone_entities::memory::{entry as memory, generation};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};

use super::store;

/// Memory's data contract.
pub struct MemoryData;

#[async_trait]
impl DataContract for MemoryData {
    fn data_types(&self) -> &'static [&'static str] {
        &["memories"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let rows = store::all(db, who.tenant_id, who.user_id).await?;
        Ok(json!({
            "memories": rows.iter().map(|m| json!({
                "id": m.id, "type": m.kind, "text": m.text, "requiredScope": m.required_scope,
                "importance": m.importance, "expiresAt": m.expires_at, "createdAt": m.created_at,
            })).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let memories = memory::Entity::delete_many()
            .filter(memory::Column::TenantId.eq(who.tenant_id))
            .filter(memory::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let counters = generation::Entity::delete_many()
            .filter(generation::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(counts([("memories", memories), ("memory_generations", counters)]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        let old = memory::Entity::find()
            .filter(memory::Column::TenantId.eq(p.tenant_id))
            .filter(memory::Column::CreatedAt.lt(p.before))
            .filter(memory::Column::UserId.is_not_in(p.exceptions.clone()));
        if p.dry_run {
            return super::rows::count(db, old).await;
        }
        let rows: Vec<(uuid::Uuid, uuid::Uuid)> = old
            .select_only()
            .column(memory::Column::Id)
            .column(memory::Column::UserId)
            .into_tuple()
            .all(db)
            .await?;
        let txn = db.begin().await?;
        let mut n = 0;
        for batch in rows.chunks(500) {
            let mut per_user = std::collections::BTreeMap::<uuid::Uuid, u64>::new();
            for (_, user) in batch {
                *per_user.entry(*user).or_default() += 1;
            }
            n += memory::Entity::delete_many()
                .filter(memory::Column::Id.is_in(batch.iter().map(|(id, _)| *id)))
                .exec(&txn)
                .await?
                .rows_affected;
            for (user, removed) in per_user {
                store::changed(&txn, p.tenant_id, user, store::Change::Removed(removed)).await?;
            }
        }
        subgraph_kit::db::commit(txn).await?;
        Ok(n)
    }
}
