//! A tenant's AI settings: what to do with PII (mask or block) and how much
//! of each call to log (full text, or hashes only).

use backbone_entities::ai::setting;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

/// PII modes.
pub const PII_MODES: [&str; 2] = ["mask", "block"];
/// Log modes.
pub const LOG_MODES: [&str; 2] = ["full", "hash"];

/// A tenant's settings; defaults are `mask` and `hash` (the safer log).
pub async fn get(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<setting::Model> {
    Ok(setting::Entity::find_by_id(tenant_id).one(db).await?.unwrap_or(setting::Model {
        tenant_id,
        pii_mode: "mask".into(),
        log_mode: "hash".into(),
        updated_at: Utc::now(),
    }))
}

/// Sets them.
pub async fn set(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    pii_mode: &str,
    log_mode: &str,
) -> ApiResult<setting::Model> {
    if !PII_MODES.contains(&pii_mode) {
        return Err(ApiError::bad_input("piiMode", format!("one of {PII_MODES:?}")));
    }
    if !LOG_MODES.contains(&log_mode) {
        return Err(ApiError::bad_input("logMode", format!("one of {LOG_MODES:?}")));
    }
    setting::Entity::insert(setting::ActiveModel {
        tenant_id: Set(tenant_id),
        pii_mode: Set(pii_mode.into()),
        log_mode: Set(log_mode.into()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::TenantId)
            .update_columns([setting::Column::PiiMode, setting::Column::LogMode, setting::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    get(db, tenant_id).await
}
