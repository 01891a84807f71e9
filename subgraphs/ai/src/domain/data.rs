//! The AI subgraph's side of the data contract: a person's request log out;
//! erased: their log rows; templates they wrote stay, unlinked from them.

use async_trait::async_trait;
use backbone_entities::ai::{prompt_template, request_log};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};

/// AI's data contract.
pub struct AiData;

#[async_trait]
impl DataContract for AiData {
    fn data_types(&self) -> &'static [&'static str] {
        &["ai_requests"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let rows = request_log::Entity::find()
            .filter(request_log::Column::TenantId.eq(who.tenant_id))
            .filter(request_log::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        Ok(json!({
            "aiRequests": rows.iter().map(|r| json!({
                "id": r.id, "template": r.template, "version": r.template_version, "status": r.status,
                "prompt": r.prompt, "completion": r.completion, "promptTokens": r.prompt_tokens,
                "completionTokens": r.completion_tokens, "createdAt": r.created_at,
            })).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let log = request_log::Entity::delete_many()
            .filter(request_log::Column::TenantId.eq(who.tenant_id))
            .filter(request_log::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let templates = prompt_template::Entity::update_many()
            .col_expr(prompt_template::Column::CreatedBy, Expr::value(Option::<uuid::Uuid>::None))
            .filter(prompt_template::Column::TenantId.eq(who.tenant_id))
            .filter(prompt_template::Column::CreatedBy.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(counts([("ai_requests", log), ("ai_prompt_templates_unlinked", templates)]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        let old = request_log::Entity::find()
            .filter(request_log::Column::TenantId.eq(p.tenant_id))
            .filter(request_log::Column::CreatedAt.lt(p.before))
            .filter(
                sea_orm::Condition::any()
                    .add(request_log::Column::UserId.is_null())
                    .add(request_log::Column::UserId.is_not_in(p.exceptions.clone())),
            );
        if p.dry_run {
            return Ok(old.count(db).await?);
        }
        let ids: Vec<uuid::Uuid> = old.all(db).await?.into_iter().map(|r| r.id).collect();
        Ok(request_log::Entity::delete_many()
            .filter(request_log::Column::Id.is_in(ids))
            .exec(db)
            .await?
            .rows_affected)
    }
}
