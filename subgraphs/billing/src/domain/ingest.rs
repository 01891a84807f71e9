//! Ingestion: the platform's events from the bus (consumer group
//! [`CONSUMER`]) and products' usage events from the API, read by every
//! meter and recorded once per event and metric.

use std::{collections::HashSet, sync::Arc};

use backbone_entities::billing::{metric, usage, usage::UsageSource};
use backbone_schema::EventEnvelope;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    validate,
};

use super::metering::{self, Meter, Usage};

/// The consumer group that meters the platform's events.
pub const CONSUMER: &str = "billing.metering";

/// Events a product may send in one call.
pub const MAX_BATCH: usize = 1000;

/// How far ahead of the server's clock an event may say it happened.
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// Every metric's meter.
pub async fn meters(db: &impl ConnectionTrait) -> ApiResult<Vec<Meter>> {
    Ok(metric::Entity::find().all(db).await?.into_iter().map(Meter::new).collect())
}

/// An event that matched a metric but carries no value it can count.
#[derive(Debug)]
pub struct Unmeasurable {
    /// The event.
    pub event: Arc<EventEnvelope>,
    /// Why.
    pub reason: String,
}

/// Records what `events` count for, in one transaction. Returns the
/// events a metric matched but could not read (for the caller to park:
/// retrying them cannot help); their other readings are stored.
pub async fn from_bus(
    db: &DatabaseConnection,
    events: &[Arc<EventEnvelope>],
) -> ApiResult<Vec<Unmeasurable>> {
    let meters = meters(db).await?;
    let mut readings = Vec::new();
    let mut unmeasurable = Vec::new();
    for event in events {
        for meter in &meters {
            match meter.read(&event.event_type, &event.payload) {
                Ok(Some(reading)) => readings.push(Usage {
                    tenant_id: event.tenant_id,
                    metric_id: meter.metric.id,
                    event_id: event.id,
                    occurred_at: event.occurred_at,
                    reading,
                    source: UsageSource::Bus,
                }),
                Ok(None) => {}
                Err(reason) => unmeasurable.push(Unmeasurable {
                    event: event.clone(),
                    reason: format!("metric {}: {reason}", meter.metric.code),
                }),
            }
        }
    }
    if !readings.is_empty() {
        let txn = sea_orm::TransactionTrait::begin(db).await?;
        metering::record(&txn, &readings).await?;
        subgraph_kit::db::commit(txn).await?;
    }
    Ok(unmeasurable)
}

/// A product's usage event, as sent to the ingestion API.
#[derive(Debug, Clone)]
pub struct UsageEvent {
    /// The product's id for it: sending it again records nothing new.
    pub id: String,
    /// Its type, matched against the metrics' event types.
    pub event_type: String,
    /// When it happened (now when absent).
    pub occurred_at: Option<DateTime<Utc>>,
    /// Its data, read by the metrics' fields and filters.
    pub payload: Value,
}

/// What became of one event sent to the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Counted for this many metrics.
    Recorded(usize),
    /// Sent before (or twice in this call): nothing new recorded.
    Duplicate,
    /// No metric counts events of its type and payload: nothing recorded.
    Unmatched,
    /// Refused, nothing recorded; the reason.
    Rejected(String),
}

/// Records `events` for `tenant_id`, each on its own merits; a bad event
/// is rejected without holding back the others. The answer lists each
/// event's [`Outcome`] in the order sent; the call is audited with its
/// counts.
pub async fn from_api(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    actor: Uuid,
    events: Vec<UsageEvent>,
) -> ApiResult<Vec<(String, Outcome)>> {
    if events.len() > MAX_BATCH {
        return Err(ApiError::bad_input("events", format!("at most {MAX_BATCH} events per call")));
    }
    let now = Utc::now();
    let keys: Vec<Uuid> = events.iter().map(|e| api_event_id(tenant_id, &e.id)).collect();
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    let mut seen: HashSet<Uuid> = usage::Entity::find()
        .select_only()
        .column(usage::Column::EventId)
        .filter(usage::Column::TenantId.eq(tenant_id))
        .filter(usage::Column::EventId.is_in(keys.clone()))
        .into_tuple::<Uuid>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let meters = meters(&txn).await?;
    let mut readings = Vec::new();
    let mut outcomes = Vec::with_capacity(events.len());
    for (event, key) in events.into_iter().zip(keys) {
        let outcome = if seen.contains(&key) {
            Outcome::Duplicate
        } else {
            match read(&meters, tenant_id, &event, key, now) {
                Ok(r) if r.is_empty() => Outcome::Unmatched,
                Ok(r) => {
                    seen.insert(key);
                    let n = r.len();
                    readings.extend(r);
                    Outcome::Recorded(n)
                }
                Err(reason) => Outcome::Rejected(reason),
            }
        };
        outcomes.push((event.id, outcome));
    }
    metering::record(&txn, &readings).await?;
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
    let entry = AuditEntry {
        event_type: "billing.usage_recorded",
        resource_type: "billing_usage",
        resource_id: tenant_id.to_string(),
        data: json!({
            "recorded": count(|o| matches!(o, Outcome::Recorded(_))),
            "duplicate": count(|o| *o == Outcome::Duplicate),
            "unmatched": count(|o| *o == Outcome::Unmatched),
            "rejected": count(|o| matches!(o, Outcome::Rejected(_))),
        }),
    };
    audit::append(&txn, tenant_id, Some(actor), entry).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(outcomes)
}

/// The stored event id of a product's event `id`: the first 16 bytes of
/// a SHA-256 of the tenant and the id, so ids are the tenant's own and
/// never meet a bus event's.
fn api_event_id(tenant_id: Uuid, id: &str) -> Uuid {
    let digest = Sha256::digest(format!("api:{tenant_id}:{id}").as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// The readings of one API event, or why it is refused.
fn read(
    meters: &[Meter],
    tenant_id: Uuid,
    event: &UsageEvent,
    key: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Usage>, String> {
    if event.id.is_empty() || event.id.len() > 128 || event.id.chars().any(char::is_control) {
        return Err("an event id is 1 to 128 characters".into());
    }
    let event_type = validate::name("type", &event.event_type).map_err(|e| e.to_string())?;
    let occurred_at = event.occurred_at.unwrap_or(now);
    if occurred_at > now + CLOCK_SKEW {
        return Err("an event cannot happen in the future".into());
    }
    let mut out = Vec::new();
    for meter in meters {
        if let Some(reading) =
            meter.read(&event_type, &event.payload).map_err(|r| format!("{}: {r}", meter.metric.code))?
        {
            out.push(Usage {
                tenant_id,
                metric_id: meter.metric.id,
                event_id: key,
                occurred_at,
                reading,
                source: UsageSource::Api,
            });
        }
    }
    Ok(out)
}
