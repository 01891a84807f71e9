//! The consent subgraph's side of the data contract: a person's consent
//! history and their requests. Erasure removes the history and unlinks the
//! requests (the request record stays, with the subject's hash only).

use async_trait::async_trait;
use backbone_entities::consent::{dsar_request, record};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};

use super::dsar::{self, subject_hash};

/// Consent's data contract.
pub struct ConsentData;

#[async_trait]
impl DataContract for ConsentData {
    fn data_types(&self) -> &'static [&'static str] {
        &["dsar_requests"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let records = record::Entity::find()
            .filter(record::Column::TenantId.eq(who.tenant_id))
            .filter(record::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        let requests = dsar_request::Entity::find()
            .filter(dsar_request::Column::TenantId.eq(who.tenant_id))
            .filter(dsar_request::Column::SubjectId.eq(who.user_id))
            .all(db)
            .await?;
        Ok(json!({
            "consents": records.iter().map(|r| json!({
                "scope": r.scope, "action": r.action, "textVersion": r.text_version, "channel": r.channel,
                "sourceIp": r.source_ip, "expiresAt": r.expires_at, "at": r.at,
            })).collect::<Vec<_>>(),
            "requests": requests.iter().map(|r| json!({
                "id": r.id, "kind": r.kind, "status": r.status, "createdAt": r.created_at,
            })).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let records = record::Entity::delete_many()
            .filter(record::Column::TenantId.eq(who.tenant_id))
            .filter(record::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let mine = dsar_request::Column::TenantId.eq(who.tenant_id);
        let requests = dsar_request::Entity::update_many()
            .col_expr(dsar_request::Column::SubjectId, Expr::value(Option::<uuid::Uuid>::None))
            .col_expr(dsar_request::Column::Package, Expr::value(Option::<String>::None))
            .filter(mine.clone())
            .filter(dsar_request::Column::SubjectHash.eq(subject_hash(who.tenant_id, who.user_id)))
            .exec(txn)
            .await?
            .rows_affected;
        dsar_request::Entity::update_many()
            .col_expr(dsar_request::Column::RequestedBy, Expr::value(Option::<uuid::Uuid>::None))
            .filter(mine)
            .filter(dsar_request::Column::RequestedBy.eq(who.user_id))
            .exec(txn)
            .await?;
        Ok(counts([("consent_records", records), ("dsar_requests_unlinked", requests)]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        let old = dsar_request::Entity::find()
            .filter(dsar_request::Column::TenantId.eq(p.tenant_id))
            .filter(dsar_request::Column::Status.is_in([
                dsar::Status::Completed,
                dsar::Status::Rejected,
                dsar::Status::Failed,
            ]))
            .filter(dsar_request::Column::CreatedAt.lt(p.before))
            .filter(
                sea_orm::Condition::any()
                    .add(dsar_request::Column::SubjectId.is_null())
                    .add(dsar_request::Column::SubjectId.is_not_in(p.exceptions.clone())),
            );
        if p.dry_run {
            return Ok(old.count(db).await?);
        }
        let ids: Vec<uuid::Uuid> = old.all(db).await?.into_iter().map(|r| r.id).collect();
        Ok(dsar_request::Entity::delete_many()
            .filter(dsar_request::Column::Id.is_in(ids))
            .exec(db)
            .await?
            .rows_affected)
    }
}
