//! The complaints subgraph's side of the data contract. A person's own
//! complaints (and their timelines) go, and so do anonymous complaints
//! whose contact is one of their addresses; on others' complaints their
//! name is unlinked from comments and assignments, so the tenant's case
//! history stays whole without them. Retention purges closed complaints by
//! age.

use async_trait::async_trait;
use backbone_entities::complaints::{complaint, team_member, timeline_entry};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};
use uuid::Uuid;

/// Complaints' data contract.
pub struct ComplaintsData;

#[async_trait]
impl DataContract for ComplaintsData {
    fn data_types(&self) -> &'static [&'static str] {
        &["closed_complaints"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let filed = complaint::Entity::find()
            .filter(complaint::Column::TenantId.eq(who.tenant_id))
            .filter(complaint::Column::ReporterId.eq(who.user_id))
            .all(db)
            .await?;
        let written = timeline_entry::Entity::find()
            .filter(timeline_entry::Column::TenantId.eq(who.tenant_id))
            .filter(timeline_entry::Column::AuthorId.eq(who.user_id))
            .all(db)
            .await?;
        // Anonymous complaints left with their address: listed by tracking
        // code only, since whoever filed them need not be this person.
        let left_with_contact = anonymous_with_contact(db, who).await?;
        let memberships = team_member::Entity::find()
            .filter(team_member::Column::TenantId.eq(who.tenant_id))
            .filter(team_member::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        Ok(json!({
            "complaints": filed.iter().map(|c| json!({
                "trackingCode": c.tracking_code, "subject": c.subject, "description": c.description,
                "status": c.status.as_str(), "createdAt": c.created_at,
            })).collect::<Vec<_>>(),
            "timelineEntries": written.iter().map(|t| json!({
                "complaintId": t.complaint_id, "kind": t.kind, "body": t.body, "at": t.created_at,
            })).collect::<Vec<_>>(),
            "anonymousWithTheirContact": left_with_contact.iter().map(|c| json!({
                "trackingCode": c.tracking_code, "createdAt": c.created_at,
            })).collect::<Vec<_>>(),
            "teamMemberships": memberships.iter().map(|m| json!({"teamId": m.team_id, "active": m.active})).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let mut own: Vec<Uuid> = complaint::Entity::find()
            .filter(complaint::Column::TenantId.eq(who.tenant_id))
            .filter(complaint::Column::ReporterId.eq(who.user_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let anonymous = anonymous_with_contact(txn, who).await?;
        let anonymous_count = anonymous.len() as u64;
        own.extend(anonymous.into_iter().map(|c| c.id));
        // A signed-in reporter who gave this person's address as contact
        // keeps their complaint, without the address.
        let contacts_cleared = complaint::Entity::update_many()
            .col_expr(complaint::Column::ReporterContact, Expr::value(Option::<String>::None))
            .filter(complaint::Column::TenantId.eq(who.tenant_id))
            .filter(complaint::Column::Id.is_not_in(own.clone()))
            .filter(who.named_in(complaint::Column::ReporterContact))
            .exec(txn)
            .await?
            .rows_affected;
        let timelines = timeline_entry::Entity::delete_many()
            .filter(timeline_entry::Column::ComplaintId.is_in(own.clone()))
            .exec(txn)
            .await?
            .rows_affected;
        let complaints = complaint::Entity::delete_many()
            .filter(complaint::Column::Id.is_in(own))
            .exec(txn)
            .await?
            .rows_affected;
        let unlinked = timeline_entry::Entity::update_many()
            .col_expr(timeline_entry::Column::AuthorId, Expr::value(Option::<Uuid>::None))
            .filter(timeline_entry::Column::TenantId.eq(who.tenant_id))
            .filter(timeline_entry::Column::AuthorId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let unassigned = complaint::Entity::update_many()
            .col_expr(complaint::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
            .filter(complaint::Column::TenantId.eq(who.tenant_id))
            .filter(complaint::Column::AssigneeId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        let members = team_member::Entity::delete_many()
            .filter(team_member::Column::TenantId.eq(who.tenant_id))
            .filter(team_member::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(counts([
            ("complaints", complaints),
            ("anonymous_complaints_with_their_contact", anonymous_count),
            ("complaint_contacts_cleared", contacts_cleared),
            ("complaint_timeline", timelines),
            ("complaint_timeline_unlinked", unlinked),
            ("complaints_unassigned", unassigned),
            ("complaint_team_members", members),
        ]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        let old = complaint::Entity::find()
            .filter(complaint::Column::TenantId.eq(p.tenant_id))
            .filter(complaint::Column::Status.eq(complaint::ComplaintStatus::Closed))
            .filter(complaint::Column::UpdatedAt.lt(p.before))
            .filter(
                sea_orm::Condition::any()
                    .add(complaint::Column::ReporterId.is_null())
                    .add(complaint::Column::ReporterId.is_not_in(p.exceptions.clone())),
            );
        if p.dry_run {
            return Ok(old.count(db).await?);
        }
        let ids: Vec<Uuid> = old.all(db).await?.into_iter().map(|c| c.id).collect();
        let txn = db.begin().await?;
        timeline_entry::Entity::delete_many()
            .filter(timeline_entry::Column::ComplaintId.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        let n = complaint::Entity::delete_many()
            .filter(complaint::Column::Id.is_in(ids))
            .exec(&txn)
            .await?
            .rows_affected;
        subgraph_kit::db::commit(txn).await?;
        Ok(n)
    }
}

/// Anonymous complaints of `who`'s tenant whose contact names one of their
/// addresses (none when no address is known).
async fn anonymous_with_contact(
    db: &impl sea_orm::ConnectionTrait,
    who: &Person,
) -> ApiResult<Vec<complaint::Model>> {
    if who.contacts.is_empty() {
        return Ok(Vec::new());
    }
    Ok(complaint::Entity::find()
        .filter(complaint::Column::TenantId.eq(who.tenant_id))
        .filter(complaint::Column::ReporterId.is_null())
        .filter(who.named_in(complaint::Column::ReporterContact))
        .all(db)
        .await?)
}
