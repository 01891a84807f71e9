//! Retention rules: how long a tenant keeps each data type. The purge asks
//! every data service that owns the type to remove rows older than the
//! rule's age, except those of users on legal hold; a dry run only counts.

use backbone_entities::consent::retention_rule;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use subgraph_kit::{
    ApiError, ApiResult,
    contract::{Purge, Purged},
    internal::InternalClient,
    pagination::{Page, Paged},
};
use uuid::Uuid;

use crate::config::DataService;

/// One line of a purge report.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Data service.
    pub service: String,
    /// Data type.
    pub data_type: String,
    /// Rows purged, or that a dry run would purge.
    pub count: u64,
}

/// Data types each service owns: `(service, types)`.
pub async fn catalog(client: &InternalClient, services: &[DataService]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for s in services {
        let url = format!("{}/internal/data/types", s.url.trim_end_matches('/'));
        match client.post::<_, Vec<String>>(&url, &()).await {
            Ok(types) => out.push((s.name.clone(), types)),
            Err(e) => tracing::warn!(service = %s.name, error = %e, "data types unavailable"),
        }
    }
    out
}

/// Sets (creates or replaces) a tenant's rule for a data type.
pub async fn set(
    db: &DatabaseConnection,
    known: &[(String, Vec<String>)],
    tenant_id: Uuid,
    data_type: &str,
    max_age_days: i64,
    exceptions: Vec<Uuid>,
    enabled: bool,
) -> ApiResult<retention_rule::Model> {
    if !known.iter().any(|(_, types)| types.iter().any(|t| t == data_type)) {
        let all: Vec<&str> = known.iter().flat_map(|(_, t)| t.iter().map(String::as_str)).collect();
        return Err(ApiError::bad_input("dataType", format!("unknown data type; known: {all:?}")));
    }
    if !(1..=36_500).contains(&max_age_days) {
        return Err(ApiError::bad_input("maxAgeDays", "1 to 36500"));
    }
    let now = Utc::now();
    let exceptions = serde_json::to_string(&exceptions).unwrap_or_else(|_| "[]".into());
    let existing = retention_rule::Entity::find()
        .filter(retention_rule::Column::TenantId.eq(tenant_id))
        .filter(retention_rule::Column::DataType.eq(data_type))
        .one(db)
        .await?;
    Ok(match existing {
        Some(r) => {
            let mut am: retention_rule::ActiveModel = r.into();
            am.max_age_days = Set(max_age_days);
            am.exceptions = Set(exceptions);
            am.enabled = Set(enabled);
            am.updated_at = Set(now);
            am.update(db).await?
        }
        None => {
            retention_rule::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant_id),
                data_type: Set(data_type.to_owned()),
                max_age_days: Set(max_age_days),
                exceptions: Set(exceptions),
                enabled: Set(enabled),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
        }
    })
}

/// A tenant's rules.
pub async fn list(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    page: &Page,
) -> ApiResult<Paged<retention_rule::Model>> {
    let q = retention_rule::Entity::find()
        .filter(retention_rule::Column::TenantId.eq(tenant_id))
        .order_by_asc(retention_rule::Column::DataType)
        .order_by_asc(retention_rule::Column::Id);
    page.fetch_at(db, q).await
}

/// Legal-hold user ids of a rule.
pub fn exceptions(rule: &retention_rule::Model) -> Vec<Uuid> {
    serde_json::from_str(&rule.exceptions).unwrap_or_default()
}

/// Applies (or, with `dry_run`, counts) every enabled rule of `tenant`
/// (or of every tenant).
pub async fn run(
    db: &DatabaseConnection,
    client: &InternalClient,
    services: &[DataService],
    tenant: Option<Uuid>,
    now: DateTime<Utc>,
    dry_run: bool,
) -> ApiResult<Vec<Line>> {
    let mut q = retention_rule::Entity::find().filter(retention_rule::Column::Enabled.eq(true));
    if let Some(t) = tenant {
        q = q.filter(retention_rule::Column::TenantId.eq(t));
    }
    let rules = q.all(db).await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let known = catalog(client, services).await;
    let mut lines = Vec::new();
    for rule in rules {
        for (service, types) in &known {
            if !types.contains(&rule.data_type) {
                continue;
            }
            let Some(s) = services.iter().find(|s| &s.name == service) else { continue };
            let purge = Purge {
                tenant_id: rule.tenant_id,
                data_type: rule.data_type.clone(),
                before: now - Duration::days(rule.max_age_days),
                exceptions: exceptions(&rule),
                dry_run,
            };
            let url = format!("{}/internal/data/purge", s.url.trim_end_matches('/'));
            let purged: Purged = client.post(&url, &purge).await.map_err(|e| {
                ApiError::Internal(format!("retention purge of {} on {service}: {e}", rule.data_type))
            })?;
            lines.push(Line {
                service: service.clone(),
                data_type: rule.data_type.clone(),
                count: purged.count,
            });
        }
    }
    Ok(lines)
}
