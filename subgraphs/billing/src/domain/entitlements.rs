//! Entitlements: what a plan version grants. A feature is on (no limit);
//! a limit is a number per month. Hard limits are enforced by the
//! subgraph that spends them, before the spend and under concurrency
//! (the AI gateway reserves tokens against `ai.tokens_per_month`); soft
//! limits let the spend through. Whenever the plan in force changes,
//! billing publishes [`ENTITLEMENTS_CHANGED`] with the full list, and
//! each spending subgraph keeps its own copy (a cached entitlement: no
//! call to billing on the request path).

use backbone_schema::event_types::ENTITLEMENTS_CHANGED;
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult, outbox};
use uuid::Uuid;

use backbone_entities::billing::plan;

/// AI tokens a tenant may spend per calendar month (the AI gateway's
/// budget).
pub const AI_TOKENS_PER_MONTH: &str = "ai.tokens_per_month";

/// One grant of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entitlement {
    /// What it grants, e.g. `ai.tokens_per_month`, `documents.esign`.
    pub key: String,
    /// The limit; none for a feature that is simply on.
    pub limit: Option<i64>,
    /// Refused beyond the limit (hard) or let through (soft).
    pub hard: bool,
}

/// Checks a plan's entitlements: at most 30, keys of lowercase letters,
/// digits, `_` and `.`, each once, limits not negative.
pub fn validate(list: &[Entitlement]) -> ApiResult<()> {
    if list.len() > 30 {
        return Err(ApiError::bad_input("entitlements", "a plan grants at most 30 entitlements"));
    }
    for (i, e) in list.iter().enumerate() {
        let ok_key = (2..=64).contains(&e.key.len())
            && e.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
        if !ok_key {
            return Err(ApiError::bad_input(
                "entitlements",
                format!("{:?}: a key is 2 to 64 of a-z, 0-9, _ and .", e.key),
            ));
        }
        if list[..i].iter().any(|o| o.key == e.key) {
            return Err(ApiError::bad_input("entitlements", format!("{} is granted twice", e.key)));
        }
        if e.limit.is_some_and(|l| l < 0) {
            return Err(ApiError::bad_input(
                "entitlements",
                format!("{}: a limit cannot be negative", e.key),
            ));
        }
    }
    Ok(())
}

/// The entitlements stored on a plan version.
pub fn of(plan: &plan::Model) -> ApiResult<Vec<Entitlement>> {
    serde_json::from_str(&plan.entitlements)
        .map_err(|e| ApiError::Internal(format!("stored entitlements: {e}")))
}

/// Publishes what `tenant_id` is now entitled to: `plan`'s grants, or
/// nothing (`plan` none: the subscription ended or was suspended).
pub(crate) async fn publish(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    plan: Option<&plan::Model>,
    status: &str,
) -> ApiResult<()> {
    let grants = plan.map(of).transpose()?.unwrap_or_default();
    let payload = json!({
        "planCode": plan.map(|p| p.code.clone()), "planVersion": plan.map(|p| p.version),
        "status": status, "entitlements": grants,
    });
    outbox::enqueue(txn, tenant_id, None, ENTITLEMENTS_CHANGED, payload).await?;
    Ok(())
}
