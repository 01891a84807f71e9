//! Consent scopes: dotted keys where `a` covers `a.b` unless `a.b` has a
//! record of its own (a narrower grant or withdrawal decides).

use backbone_entities::consent::scope;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

/// The platform's scopes, present in every tenant.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("ai_processing", "AI models may process my data"),
    ("health_data", "My health data may be used for my care"),
    ("health_data.vitals", "Vital signs"),
    ("health_data.diagnoses", "Diagnoses"),
    ("health_data.medications", "Medications"),
    ("education_records", "My education records may be used for my learning"),
    ("memory", "The assistant may remember what I tell it"),
    ("memory.health", "The assistant may remember health facts"),
    ("memory.education", "The assistant may remember learning facts"),
    ("marketing", "I want news and offers"),
    ("research", "My de-identified data may be used for research"),
];

/// `a.b.c` → `["a.b.c", "a.b", "a"]`: the scope and what covers it,
/// narrowest first.
pub fn chain(key: &str) -> Vec<&str> {
    let mut out = vec![key];
    let mut rest = key;
    while let Some((head, _)) = rest.rsplit_once('.') {
        out.push(head);
        rest = head;
    }
    out
}

/// Checks a key's shape: lowercase segments of `[a-z0-9_]`, dot separated.
pub fn well_formed(field: &str, key: &str) -> ApiResult<String> {
    let key = key.trim();
    let ok = !key.is_empty()
        && key.len() <= 100
        && key.split('.').all(|s| {
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if ok {
        Ok(key.to_owned())
    } else {
        Err(ApiError::bad_input(field, "a scope is dotted lowercase words, e.g. health_data.vitals"))
    }
}

/// Checks that `key` is a scope of `tenant_id` (platform or its own).
pub async fn require(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    field: &str,
    key: &str,
) -> ApiResult<String> {
    let key = well_formed(field, key)?;
    if DEFAULTS.iter().any(|(k, _)| *k == key) {
        return Ok(key);
    }
    let found = scope::Entity::find()
        .filter(scope::Column::TenantId.eq(tenant_id))
        .filter(scope::Column::Key.eq(key.as_str()))
        .one(db)
        .await?;
    match found {
        Some(_) => Ok(key),
        None => Err(ApiError::bad_input(field, format!("unknown consent scope {key}"))),
    }
}

/// Defines a tenant scope.
pub async fn define(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    key: &str,
    description: &str,
) -> ApiResult<scope::Model> {
    let key = well_formed("key", key)?;
    if DEFAULTS.iter().any(|(k, _)| *k == key) {
        return Err(ApiError::Conflict(format!("{key} is a platform scope")));
    }
    let description = description.trim();
    if description.is_empty() || description.len() > 500 {
        return Err(ApiError::bad_input("description", "1 to 500 characters"));
    }
    let model = scope::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        key: Set(key.clone()),
        description: Set(description.to_owned()),
        created_at: Set(Utc::now()),
    };
    model.insert(db).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ApiError::Conflict(format!("scope {key} exists"))
        }
        _ => e.into(),
    })
}

/// Every scope of a tenant: `(key, description)`, platform ones first.
pub async fn list(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> =
        DEFAULTS.iter().map(|(k, d)| ((*k).to_owned(), (*d).to_owned())).collect();
    let own = scope::Entity::find()
        .filter(scope::Column::TenantId.eq(tenant_id))
        .order_by_asc(scope::Column::Key)
        .all(db)
        .await?;
    out.extend(own.into_iter().map(|s| (s.key, s.description)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_runs_narrowest_first() {
        assert_eq!(chain("a.b.c"), ["a.b.c", "a.b", "a"]);
        assert_eq!(chain("a"), ["a"]);
        assert!(well_formed("s", "Health").is_err());
        assert!(well_formed("s", "a..b").is_err());
        assert!(well_formed("s", "health_data.vitals").is_ok());
    }
}
