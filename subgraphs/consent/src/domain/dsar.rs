//! Data-subject requests: access, portability, erasure, rectification.
//!
//! A request is recorded, then the job ([`run_pending`]) carries access,
//! portability and erasure across every data service through the data
//! contract (`/internal/data/*`). Access and portability build one JSON
//! package behind a random, expiring download token. Erasure erases
//! everywhere, then exports again and completes only if every export came
//! back empty; afterwards the request keeps a hash of the subject, not the
//! subject. Rectification is recorded for staff, who complete it by hand:
//! what a correction means differs per field and per subgraph.

use std::collections::BTreeMap;

use backbone_entities::consent::dsar_request;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    contract::{Person, Subject},
    internal::InternalClient,
    pagination::{Page, Paged},
    tenancy::Ref,
};
use uuid::Uuid;

use crate::config::DataService;

pub use backbone_entities::consent::dsar_request::{DsarKind as Kind, DsarStatus as Status};

/// SHA-256 of tenant and subject: lets staff match requests after erasure.
pub fn subject_hash(tenant_id: Uuid, user_id: Uuid) -> String {
    hex::encode(Sha256::new().chain_update(tenant_id.as_bytes()).chain_update(user_id.as_bytes()).finalize())
}

/// Records a request.
pub async fn submit(
    db: &DatabaseConnection,
    who: Subject,
    requested_by: Uuid,
    kind: Kind,
    details: Option<String>,
) -> ApiResult<dsar_request::Model> {
    let details = details.unwrap_or_default();
    if kind == Kind::Rectification && details.trim().is_empty() {
        return Err(ApiError::bad_input("details", "say what should be corrected"));
    }
    if details.len() > 10_000 {
        return Err(ApiError::bad_input("details", "at most 10000 characters"));
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let row = dsar_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(who.tenant_id),
        subject_id: Set(Some(who.user_id)),
        subject_hash: Set(subject_hash(who.tenant_id, who.user_id)),
        requested_by: Set(Some(requested_by)),
        kind: Set(kind),
        status: Set(Status::Submitted),
        details: Set(json!({ "details": details }).to_string()),
        result: Set(None),
        package: Set(None),
        package_token: Set(None),
        package_expires_at: Set(None),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        completed_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit_event(&txn, &row, Some(requested_by), "dsar.requested", json!({"kind": kind})).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

async fn audit_event(
    db: &sea_orm::DatabaseTransaction,
    row: &dsar_request::Model,
    actor: Option<Uuid>,
    event_type: &'static str,
    data: Value,
) -> ApiResult<()> {
    audit::append(
        db,
        row.tenant_id,
        actor,
        AuditEntry { event_type, resource_type: "dsar_request", resource_id: row.id.to_string(), data },
    )
    .await?;
    Ok(())
}

/// Ends a request by hand: rectification completed, or any open one
/// rejected. `note` is kept in the result.
pub async fn close(
    db: &DatabaseConnection,
    request: &Ref<dsar_request::Entity>,
    actor: Uuid,
    outcome: Status,
    note: &str,
) -> ApiResult<dsar_request::Model> {
    let row = find(db, request.tenant_id(), request.id()).await?;
    let allowed = match outcome {
        Status::Rejected => row.status == Status::Submitted,
        Status::Completed => row.kind == Kind::Rectification && row.status == Status::Submitted,
        _ => false,
    };
    if !allowed {
        return Err(ApiError::bad_input(
            "id",
            format!("a {:?} {:?} request cannot become {outcome:?}", row.status, row.kind),
        ));
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut am: dsar_request::ActiveModel = row.into();
    am.status = Set(outcome);
    am.result = Set(Some(json!({ "note": note }).to_string()));
    am.updated_at = Set(now);
    am.completed_at = Set(Some(now));
    let row = am.update(&txn).await?;
    audit_event(&txn, &row, Some(actor), "dsar.closed", json!({"status": outcome})).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// One request of a tenant.
pub async fn find(db: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> ApiResult<dsar_request::Model> {
    dsar_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.tenant_id == tenant_id)
        .ok_or_else(|| ApiError::NotFound("no such request".into()))
}

/// Requests of a tenant, optionally of one subject, newest first.
pub async fn list(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    subject: Option<Uuid>,
    page: &Page,
) -> ApiResult<Paged<dsar_request::Model>> {
    let mut q = dsar_request::Entity::find().filter(dsar_request::Column::TenantId.eq(tenant_id));
    if let Some(s) = subject {
        q = q.filter(dsar_request::Column::SubjectHash.eq(subject_hash(tenant_id, s)));
    }
    if let Some(after) = page.after_id()? {
        q = q.filter(dsar_request::Column::Id.lt(after));
    }
    Ok(page.split(q.order_by_desc(dsar_request::Column::Id).limit(page.limit()).all(db).await?))
}

/// A package by its download token, if it has not expired.
pub async fn package(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> ApiResult<Option<String>> {
    let row =
        dsar_request::Entity::find().filter(dsar_request::Column::PackageToken.eq(token)).one(db).await?;
    Ok(row.filter(|r| r.package_expires_at.is_some_and(|e| e > now)).and_then(|r| r.package))
}

/// Carries out every submitted access, portability and erasure request;
/// returns how many it finished. Each is claimed with a compare-and-set,
/// so two replicas never run the same one.
pub async fn run_pending(
    db: &DatabaseConnection,
    client: &InternalClient,
    services: &[DataService],
    ttl: Duration,
) -> ApiResult<usize> {
    let pending = dsar_request::Entity::find()
        .filter(dsar_request::Column::Status.eq(Status::Submitted))
        .filter(dsar_request::Column::Kind.ne(Kind::Rectification))
        .order_by_asc(dsar_request::Column::CreatedAt)
        .limit(20)
        .all(db)
        .await?;
    let mut done = 0;
    for row in pending {
        let claimed = dsar_request::Entity::update_many()
            .col_expr(dsar_request::Column::Status, Expr::value(Status::Processing))
            .col_expr(dsar_request::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(dsar_request::Column::Id.eq(row.id))
            .filter(dsar_request::Column::Status.eq(Status::Submitted))
            .exec(db)
            .await?;
        if claimed.rows_affected == 1 {
            carry_out(db, client, services, ttl, row).await?;
            done += 1;
        }
    }
    Ok(done)
}

async fn carry_out(
    db: &DatabaseConnection,
    client: &InternalClient,
    services: &[DataService],
    ttl: Duration,
    row: dsar_request::Model,
) -> ApiResult<()> {
    let Some(user_id) = row.subject_id else {
        return finish(db, row, Err("the subject was already erased".into()), None).await;
    };
    let who = match person(client, services, Subject { tenant_id: row.tenant_id, user_id }).await {
        Ok(who) => who,
        Err(e) => return finish(db, row, Err(e), None).await,
    };
    let outcome = if row.kind == Kind::Erasure {
        erase_everywhere(client, services, &who).await.map(|r| (r, None))
    } else {
        export_everywhere(client, services, &who).await.map(|data| {
            let package = json!({
                "format": "backbone-dsar/1",
                "requestId": row.id,
                "kind": row.kind,
                "tenantId": who.tenant_id,
                "userId": who.user_id,
                "generatedAt": Utc::now(),
                "data": data,
            });
            (json!({ "services": services.iter().map(|s| &s.name).collect::<Vec<_>>() }), Some(package))
        })
    };
    match outcome {
        Ok((result, package)) => finish(db, row, Ok(result), package.map(|p| (p, ttl))).await,
        Err(e) => finish(db, row, Err(e), None).await,
    }
}

/// The subject with every address any data service knows them by, so that
/// rows naming them only by an address are exported and erased too.
async fn person(client: &InternalClient, services: &[DataService], who: Subject) -> Result<Person, String> {
    if services.is_empty() {
        return Err("no data services are configured (consent.data_services)".into());
    }
    let mut contacts = Vec::new();
    for s in services {
        let url = format!("{}/internal/data/contacts", s.url.trim_end_matches('/'));
        let found: Vec<String> = client.post(&url, &who).await.map_err(|e| {
            tracing::warn!(service = %s.name, error = %e, "DSAR contact lookup failed");
            format!("{} did not answer the contact lookup", s.name)
        })?;
        contacts.extend(found);
    }
    Ok(Person::new(who, contacts))
}

async fn export_everywhere(
    client: &InternalClient,
    services: &[DataService],
    who: &Person,
) -> Result<Value, String> {
    let mut data = serde_json::Map::new();
    for s in services {
        let url = format!("{}/internal/data/export", s.url.trim_end_matches('/'));
        let v: Value = client.post(&url, who).await.map_err(|e| {
            tracing::warn!(service = %s.name, error = %e, "DSAR export failed");
            format!("{} did not answer the export", s.name)
        })?;
        data.insert(s.name.clone(), v);
    }
    Ok(Value::Object(data))
}

async fn erase_everywhere(
    client: &InternalClient,
    services: &[DataService],
    who: &Person,
) -> Result<Value, String> {
    let mut counts = BTreeMap::new();
    for s in services {
        let url = format!("{}/internal/data/erase", s.url.trim_end_matches('/'));
        let c: BTreeMap<String, u64> = client.post(&url, who).await.map_err(|e| {
            tracing::warn!(service = %s.name, error = %e, "DSAR erasure failed");
            format!("{} did not answer the erasure", s.name)
        })?;
        counts.insert(s.name.clone(), c);
    }
    let after = export_everywhere(client, services, who).await?;
    if !is_empty(&after) {
        tracing::error!(export = %after, "data left after erasure");
        return Err("data remained after erasure".into());
    }
    Ok(json!({ "erased": counts, "verified": true }))
}

/// Whether an export holds no data: every array in it is empty.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        _ => true,
    }
}

async fn finish(
    db: &DatabaseConnection,
    row: dsar_request::Model,
    outcome: Result<Value, String>,
    package: Option<(Value, Duration)>,
) -> ApiResult<()> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let erased = row.kind == Kind::Erasure && outcome.is_ok();
    let subject = row.subject_id;
    let mut am: dsar_request::ActiveModel = row.clone().into();
    am.updated_at = Set(now);
    let (event, data) = match &outcome {
        Ok(result) => {
            am.status = Set(Status::Completed);
            am.result = Set(Some(result.to_string()));
            am.completed_at = Set(Some(now));
            if let Some((p, ttl)) = &package {
                am.package = Set(Some(p.to_string()));
                am.package_token = Set(Some(hex::encode(rand::random::<[u8; 32]>())));
                am.package_expires_at = Set(Some(now + *ttl));
            }
            ("dsar.completed", json!({"kind": row.kind, "result": result}))
        }
        Err(e) => {
            am.status = Set(Status::Failed);
            am.error = Set(Some(e.clone()));
            ("dsar.failed", json!({"kind": row.kind, "error": e}))
        }
    };
    if erased {
        am.subject_id = Set(None);
        if row.requested_by == subject {
            am.requested_by = Set(None);
        }
    }
    let row = am.update(&txn).await?;
    audit_event(&txn, &row, None, event, data).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

/// Drops packages whose link expired; returns how many.
pub async fn drop_expired_packages(db: &DatabaseConnection, now: DateTime<Utc>) -> ApiResult<u64> {
    let res = dsar_request::Entity::update_many()
        .col_expr(dsar_request::Column::Package, Expr::value(Option::<String>::None))
        .filter(dsar_request::Column::PackageExpiresAt.lte(now))
        .filter(dsar_request::Column::Package.is_not_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
