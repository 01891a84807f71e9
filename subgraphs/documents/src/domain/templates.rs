//! Templates: each save of a key writes its next version after checking
//! the fields and trying a render with sample data, so a template that
//! does not render is refused when it is written, not when it is used.

use backbone_entities::documents::{document::DocumentKind, template};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use subgraph_kit::{ApiError, ApiResult, audit};
use uuid::Uuid;

use super::{
    Services,
    fields::{self, Field},
    invalid,
    rendering::{self, Page},
};

/// The longest markup a template may hold.
pub const MAX_MARKUP_BYTES: usize = 256 * 1024;

/// A template to save.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    /// The name every version shares.
    pub key: String,
    /// What people call it.
    pub name: String,
    /// What documents made from it are.
    pub kind: DocumentKind,
    /// Typst markup.
    pub markup: String,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// Saves `new` as the next version of its key.
pub async fn save(
    services: &Services,
    tenant_id: Uuid,
    actor: Uuid,
    new: NewTemplate,
) -> ApiResult<template::Model> {
    let key_ok = (1..=64).contains(&new.key.len())
        && new.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !key_ok {
        return Err(invalid("INVALID_TEMPLATE", "a template key is 1 to 64 of a-z, 0-9, `-` and `_`"));
    }
    if new.name.trim().is_empty() || new.name.chars().count() > 200 {
        return Err(invalid("INVALID_TEMPLATE", "a template name is 1 to 200 characters"));
    }
    if new.markup.len() > MAX_MARKUP_BYTES {
        return Err(invalid(
            "INVALID_TEMPLATE",
            format!("template markup is at most {MAX_MARKUP_BYTES} bytes"),
        ));
    }
    fields::check_definitions(&new.fields)?;
    let sample = fields::fill(&new.fields, &fields::sample(&new.fields))?;
    rendering::pdf(
        services,
        Page { markup: new.markup.clone(), title: new.name.clone(), filled: sample, ..Page::default() },
    )
    .await?;

    let fields_json = serde_json::to_string(&new.fields).map_err(|e| ApiError::Internal(e.to_string()))?;
    let txn = services.db.begin().await?;
    let version = latest(&txn, tenant_id, &new.key).await?.map_or(1, |t| t.version + 1);
    let row = template::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        key: Set(new.key),
        version: Set(version),
        name: Set(new.name),
        kind: Set(new.kind),
        markup: Set(new.markup),
        fields: Set(fields_json),
        created_by: Set(actor),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
            "TEMPLATE_CHANGED",
            "another version of this template was saved at the same time",
        ),
        _ => e.into(),
    })?;
    audit::append(
        &txn,
        tenant_id,
        Some(actor),
        audit::AuditEntry {
            event_type: "document.template_saved",
            resource_type: "document_template",
            resource_id: row.id.to_string(),
            data: serde_json::json!({"key": row.key, "version": row.version}),
        },
    )
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// The latest version of `key` in the tenant.
pub async fn latest(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    key: &str,
) -> ApiResult<Option<template::Model>> {
    Ok(template::Entity::find()
        .filter(template::Column::TenantId.eq(tenant_id))
        .filter(template::Column::Key.eq(key))
        .order_by_desc(template::Column::Version)
        .one(db)
        .await?)
}

/// The most template versions [`list`] reads.
const MAX_LISTED: u64 = 5_000;

/// The latest version of every template key in the tenant, by key.
pub async fn list(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Vec<template::Model>> {
    let all = template::Entity::find()
        .filter(template::Column::TenantId.eq(tenant_id))
        .order_by_asc(template::Column::Key)
        .order_by_desc(template::Column::Version)
        .limit(MAX_LISTED)
        .all(db)
        .await?;
    let mut latest: Vec<template::Model> = Vec::new();
    for t in all {
        if latest.last().is_none_or(|l| l.key != t.key) {
            latest.push(t);
        }
    }
    Ok(latest)
}

/// A template version's fields.
pub fn fields_of(t: &template::Model) -> ApiResult<Vec<Field>> {
    serde_json::from_str(&t.fields).map_err(|e| ApiError::Internal(format!("template {} fields: {e}", t.id)))
}
