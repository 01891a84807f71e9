//! The tenants domain as plain functions over a database connection.
//!
//! Every function takes the caller's [`RequestContext`] or an explicit
//! tenant id and scopes every query by it; permission checks happen in the
//! GraphQL layer before these are called, tenant scoping happens here, so a
//! missing check can never widen a query beyond the caller's tenant.
//! Each change writes its audit event and outbox event in its own
//! transaction.

pub mod api_keys;
pub mod audit_log;
pub mod data;
pub mod demo;
pub mod roles;
pub mod tenants;
pub mod users;

use sea_orm::DatabaseTransaction;
use subgraph_kit::{
    ApiResult, RequestContext,
    audit::{self, AuditEntry},
    outbox,
};
use uuid::Uuid;

/// Writes the audit event and the outbox event of one change in `txn`.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    ctx: &RequestContext,
    entry: AuditEntry,
) -> ApiResult<()> {
    let payload = serde_json::json!({
        "resourceType": entry.resource_type,
        "resourceId": entry.resource_id,
        "data": entry.data,
    });
    let event_type = entry.event_type;
    audit::append(txn, tenant_id, Some(ctx.user_id), entry).await?;
    outbox::enqueue(txn, tenant_id, Some(ctx.user_id), event_type, payload).await?;
    Ok(())
}

/// True when `err` is a unique-constraint violation on either backend.
pub(crate) fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
