//! Event types: what products register so devices can send them. Each
//! (type, version) has one JSON Schema, fixed once registered; a change is
//! a new version. Schemas are compiled once per process and may not fetch
//! anything (no remote or file `$ref`).

use std::sync::Arc;

use backbone_entities::sync::{Stream, event_type};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
};
use uuid::Uuid;

use super::{Services, Validators, invalid};

/// Longest event type name.
const MAX_TYPE_LEN: usize = 100;

/// What registering a type takes.
#[derive(Debug, Clone)]
pub struct NewEventType {
    /// `visit.recorded`: lower-case words joined by dots, at least two.
    pub event_type: String,
    /// From 1.
    pub schema_version: i32,
    /// How its events are kept.
    pub stream: Stream,
    /// The JSON Schema payloads must meet.
    pub schema: Value,
    /// JSON Pointer to the record id (required for record streams).
    pub record_key: Option<String>,
    /// JSON Pointer to the id of the person an event is about.
    pub subject_key: Option<String>,
}

/// Whether `name` is a well-formed event type.
pub fn well_formed(name: &str) -> bool {
    let words: Vec<&str> = name.split('.').collect();
    name.len() <= MAX_TYPE_LEN
        && words.len() >= 2
        && words.iter().all(|w| {
            w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

fn pointer(field: &str, p: &Option<String>) -> ApiResult<()> {
    match p {
        Some(p) if !p.starts_with('/') || p.len() > 200 => {
            Err(ApiError::bad_input(field, "a JSON Pointer, starting with `/`"))
        }
        _ => Ok(()),
    }
}

/// Registers a type. The same registration again is a no-op (returns the
/// row); a different schema or keys for a registered (type, version) is
/// `CONFLICT` (`VERSION_EXISTS`).
pub async fn register(
    s: &Services,
    tenant_id: Uuid,
    actor: Uuid,
    new: NewEventType,
) -> ApiResult<event_type::Model> {
    if !well_formed(&new.event_type) {
        return Err(ApiError::bad_input(
            "type",
            "lower-case words joined by dots (`visit.recorded`), at most 100 characters",
        ));
    }
    if new.schema_version < 1 {
        return Err(ApiError::bad_input("schemaVersion", "from 1"));
    }
    pointer("recordKey", &new.record_key)?;
    pointer("subjectKey", &new.subject_key)?;
    match (new.stream, &new.record_key) {
        (Stream::Record, None) => {
            return Err(ApiError::bad_input(
                "recordKey",
                "a record stream needs the pointer to its record id",
            ));
        }
        (Stream::Append, Some(_)) => {
            return Err(ApiError::bad_input("recordKey", "only record streams have a record key"));
        }
        _ => {}
    }
    compile(&new.schema)
        .map_err(|e| invalid("SCHEMA_UNUSABLE", format!("the schema cannot be used: {e}")))?;
    let schema = new.schema.to_string();
    if let Some(existing) = find(&s.db, tenant_id, &new.event_type, new.schema_version).await? {
        let same = existing.stream == new.stream
            && serde_json::from_str::<Value>(&existing.schema).ok().as_ref() == Some(&new.schema)
            && existing.record_key == new.record_key
            && existing.subject_key == new.subject_key;
        return if same {
            Ok(existing)
        } else {
            Err(ApiError::conflict(
                "VERSION_EXISTS",
                format!(
                    "{} version {} is registered with another schema; register version {}",
                    new.event_type,
                    new.schema_version,
                    new.schema_version + 1
                ),
            ))
        };
    }
    let txn = sea_orm::TransactionTrait::begin(&s.db).await?;
    let row = event_type::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        event_type: Set(new.event_type),
        schema_version: Set(new.schema_version),
        stream: Set(new.stream),
        schema: Set(schema),
        record_key: Set(new.record_key),
        subject_key: Set(new.subject_key),
        registered_by: Set(actor),
        registered_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        tenant_id,
        Some(actor),
        AuditEntry {
            event_type: "sync.event_type.registered",
            resource_type: "sync_event_type",
            resource_id: row.id.to_string(),
            data: serde_json::json!({ "type": row.event_type, "schemaVersion": row.schema_version }),
        },
    )
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(row)
}

/// A registered (type, version) of the tenant.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    event_type: &str,
    version: i32,
) -> ApiResult<Option<event_type::Model>> {
    Ok(event_type::Entity::find()
        .filter(event_type::Column::TenantId.eq(tenant_id))
        .filter(event_type::Column::EventType.eq(event_type))
        .filter(event_type::Column::SchemaVersion.eq(version))
        .one(db)
        .await?)
}

/// Every registered type of the tenant, by name and version.
pub async fn list(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Vec<event_type::Model>> {
    Ok(event_type::Entity::find()
        .filter(event_type::Column::TenantId.eq(tenant_id))
        .order_by_asc(event_type::Column::EventType)
        .order_by_asc(event_type::Column::SchemaVersion)
        .all(db)
        .await?)
}

/// Every registered type of the tenant named in `types`.
pub async fn named(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    types: impl IntoIterator<Item = String>,
) -> ApiResult<Vec<event_type::Model>> {
    Ok(event_type::Entity::find()
        .filter(event_type::Column::TenantId.eq(tenant_id))
        .filter(event_type::Column::EventType.is_in(types))
        .all(db)
        .await?)
}

fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::meta::validate(schema).map_err(|e| e.to_string())?;
    jsonschema::validator_for(schema).map_err(|e| e.to_string())
}

impl Validators {
    /// The compiled schema of `row`, compiled on first use.
    pub fn of(&self, row: &event_type::Model) -> Result<Arc<jsonschema::Validator>, String> {
        if let Some(v) = self.0.read().unwrap_or_else(|p| p.into_inner()).get(&row.id) {
            return Ok(v.clone());
        }
        let schema: Value = serde_json::from_str(&row.schema).map_err(|e| e.to_string())?;
        let compiled = Arc::new(compile(&schema)?);
        self.0.write().unwrap_or_else(|p| p.into_inner()).insert(row.id, compiled.clone());
        Ok(compiled)
    }
}
