//! Grants, withdrawals and expiries: an append-only history per person and
//! scope. The decision for a scope is the latest record of the narrowest
//! scope in its chain that has one: granting `health_data` covers
//! `health_data.vitals` until `health_data.vitals` gets a record of its own.

use backbone_entities::consent::record;
use backbone_schema::event_types::CONSENT_CHANGED;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    outbox,
    pagination::{Page, Paged},
};
use uuid::Uuid;

use super::{
    receipts::{ReceiptKey, Statement},
    scopes,
};

pub use backbone_entities::consent::record::{CaptureChannel, ConsentAction as Action};

/// A grant or withdrawal as asked.
#[derive(Debug, Clone)]
pub struct Change {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Person.
    pub user_id: Uuid,
    /// Scope key.
    pub scope: String,
    /// Consent text version.
    pub text_version: String,
    /// How it was given.
    pub channel: CaptureChannel,
    /// Client address.
    pub source_ip: Option<String>,
    /// When a grant lapses.
    pub expires_at: Option<DateTime<Utc>>,
    /// Who records it.
    pub recorded_by: Uuid,
}

/// Records a grant with its signed receipt.
pub async fn grant(
    db: &DatabaseConnection,
    key: &ReceiptKey,
    issuer: &str,
    c: Change,
) -> ApiResult<record::Model> {
    let now = Utc::now();
    if c.expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::bad_input("expiresAt", "must be in the future"));
    }
    record_change(db, Some((key, issuer)), Action::Granted, c, now).await
}

/// Records a withdrawal (effective at once).
pub async fn withdraw(db: &DatabaseConnection, c: Change) -> ApiResult<record::Model> {
    record_change(db, None, Action::Withdrawn, Change { expires_at: None, ..c }, Utc::now()).await
}

async fn record_change(
    db: &DatabaseConnection,
    signer: Option<(&ReceiptKey, &str)>,
    act: Action,
    c: Change,
    now: DateTime<Utc>,
) -> ApiResult<record::Model> {
    let scope = scopes::require(db, c.tenant_id, "scope", &c.scope).await?;
    let text_version = c.text_version.trim().to_owned();
    if text_version.is_empty() || text_version.len() > 64 {
        return Err(ApiError::bad_input("textVersion", "1 to 64 characters"));
    }
    if c.channel == CaptureChannel::System {
        return Err(ApiError::bad_input("channel", "SYSTEM records are the platform's own (expiries)"));
    }
    let id = Uuid::now_v7();
    let receipt = signer.map(|(key, issuer)| {
        let r = key.sign(Statement {
            receipt_id: id.to_string(),
            issuer: issuer.to_owned(),
            tenant_id: c.tenant_id.to_string(),
            user_id: c.user_id.to_string(),
            scope: scope.clone(),
            text_version: text_version.clone(),
            channel: c.channel.as_str().to_owned(),
            source_ip: c.source_ip.clone(),
            granted_at: now.to_rfc3339(),
            expires_at: c.expires_at.map(|e| e.to_rfc3339()),
        });
        serde_json::to_string(&r).unwrap_or_default()
    });
    let model = record::ActiveModel {
        id: Set(id),
        tenant_id: Set(c.tenant_id),
        user_id: Set(c.user_id),
        scope: Set(scope.clone()),
        action: Set(act),
        text_version: Set(text_version),
        channel: Set(c.channel),
        source_ip: Set(c.source_ip),
        expires_at: Set(c.expires_at),
        receipt: Set(receipt),
        recorded_by: Set(Some(c.recorded_by)),
        at: Set(now),
    };
    let txn = db.begin().await?;
    let row = model.insert(&txn).await?;
    publish(&txn, &row, Some(c.recorded_by)).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

async fn publish(
    txn: &sea_orm::DatabaseTransaction,
    row: &record::Model,
    actor: Option<Uuid>,
) -> ApiResult<()> {
    let payload = json!({
        "userId": row.user_id, "scope": row.scope, "action": row.action,
        "textVersion": row.text_version, "recordId": row.id,
    });
    outbox::enqueue(txn, row.tenant_id, actor, CONSENT_CHANGED, payload.clone()).await?;
    audit::append(
        txn,
        row.tenant_id,
        actor,
        AuditEntry {
            event_type: "consent.changed",
            resource_type: "consent",
            resource_id: row.id.to_string(),
            data: json!({"scope": row.scope, "action": row.action}),
        },
    )
    .await?;
    Ok(())
}

/// Whether `user_id` consents to `scope` at `now` (an unknown scope is no).
pub async fn decide(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    scope: &str,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let Ok(scope) = scopes::well_formed("scope", scope) else { return Ok(false) };
    let chain = scopes::chain(&scope);
    let rows = record::Entity::find()
        .filter(record::Column::TenantId.eq(tenant_id))
        .filter(record::Column::UserId.eq(user_id))
        .filter(record::Column::Scope.is_in(chain.iter().copied()))
        .order_by_desc(record::Column::At)
        .order_by_desc(record::Column::Id)
        .all(db)
        .await?;
    for key in chain {
        if let Some(latest) = rows.iter().find(|r| r.scope == key) {
            return Ok(latest.action == Action::Granted && latest.expires_at.is_none_or(|e| e > now));
        }
    }
    Ok(false)
}

/// A page of a person's records, newest first.
pub async fn history(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<record::Model>> {
    let mut q = record::Entity::find()
        .filter(record::Column::TenantId.eq(tenant_id))
        .filter(record::Column::UserId.eq(user_id));
    if let Some(after) = page.after_id()? {
        q = q.filter(record::Column::Id.lt(after));
    }
    Ok(page.split(q.order_by_desc(record::Column::Id).limit(page.limit()).all(db).await?))
}

/// The latest record per scope of a person (their current consents).
pub async fn current(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ApiResult<Vec<record::Model>> {
    let all = record::Entity::find()
        .filter(record::Column::TenantId.eq(tenant_id))
        .filter(record::Column::UserId.eq(user_id))
        .order_by_desc(record::Column::At)
        .order_by_desc(record::Column::Id)
        .limit(10_000)
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(all.into_iter().filter(|r| seen.insert(r.scope.clone())).collect())
}

/// Appends an `expired` record for each grant that lapsed and is still the
/// latest of its scope; returns how many.
pub async fn sweep_expired(db: &DatabaseConnection, now: DateTime<Utc>) -> ApiResult<usize> {
    let lapsed = record::Entity::find()
        .filter(record::Column::Action.eq(Action::Granted))
        .filter(record::Column::ExpiresAt.lte(now))
        // Only grants still the latest record of their scope.
        .filter(Expr::cust(
            "NOT EXISTS (SELECT 1 FROM consent_records l WHERE l.tenant_id = consent_records.tenant_id \
             AND l.user_id = consent_records.user_id AND l.scope = consent_records.scope \
             AND (l.at > consent_records.at OR (l.at = consent_records.at AND l.id > consent_records.id)))",
        ))
        .limit(500)
        .all(db)
        .await?;
    let mut n = 0;
    for g in lapsed {
        let txn = db.begin().await?;
        let latest = record::Entity::find()
            .filter(record::Column::TenantId.eq(g.tenant_id))
            .filter(record::Column::UserId.eq(g.user_id))
            .filter(record::Column::Scope.eq(g.scope.as_str()))
            .order_by_desc(record::Column::At)
            .order_by_desc(record::Column::Id)
            .one(&txn)
            .await?;
        if latest.is_some_and(|l| l.id == g.id) {
            let row = record::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(g.tenant_id),
                user_id: Set(g.user_id),
                scope: Set(g.scope.clone()),
                action: Set(Action::Expired),
                text_version: Set(g.text_version.clone()),
                channel: Set(CaptureChannel::System),
                source_ip: Set(None),
                expires_at: Set(None),
                receipt: Set(None),
                recorded_by: Set(None),
                at: Set(now.max(g.at)),
            }
            .insert(&txn)
            .await?;
            publish(&txn, &row, None).await?;
            n += 1;
        }
        subgraph_kit::db::commit(txn).await?;
    }
    Ok(n)
}
