//! Metering: which events count for which billable metric, and by how
//! much. The same rules read the platform's own events from the bus and a
//! product's events from the ingestion API; [`record`] stores the
//! readings once per event (the unique key is tenant, metric and event).

use std::str::FromStr;

use backbone_entities::billing::{
    metric::{self, Aggregation},
    usage::{self, UsageSource},
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait, Statement, sea_query::OnConflict};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use subgraph_kit::{ApiError, ApiResult};

/// A metric with its filters parsed, ready to read events.
#[derive(Debug, Clone)]
pub struct Meter {
    /// The metric.
    pub metric: metric::Model,
    filters: Map<String, Value>,
}

impl Meter {
    /// The meter of `metric` (a stored filter that is not an object
    /// matches nothing rather than everything).
    pub fn new(metric: metric::Model) -> Self {
        let filters = match serde_json::from_str(&metric.filters) {
            Ok(Value::Object(f)) => f,
            _ => Map::from_iter([("\u{0}unreadable".to_owned(), Value::Null)]),
        };
        Self { metric, filters }
    }

    /// What an event of `event_type` with `payload` counts for this
    /// metric: `Ok(None)` when it is not one of its events, an error
    /// (the reason) when it is but carries no usable value.
    pub fn read(&self, event_type: &str, payload: &Value) -> Result<Option<Reading>, String> {
        if self.metric.event_type != event_type
            || !self.filters.iter().all(|(k, want)| field(payload, k).is_some_and(|got| same(got, want)))
        {
            return Ok(None);
        }
        let value = || {
            let name = self.metric.field.as_deref().unwrap_or_default();
            field(payload, name).ok_or_else(|| format!("the event has no {name:?}"))
        };
        let reading = match self.metric.aggregation {
            Aggregation::Count => Reading { quantity: Decimal::ONE, distinct_key: None },
            Aggregation::UniqueCount => {
                let key = match value()? {
                    Value::String(s) => s.clone(),
                    v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
                    _ => return Err("a unique count reads a string, number or boolean".into()),
                };
                Reading { quantity: Decimal::ONE, distinct_key: Some(distinct_key(&key)) }
            }
            Aggregation::Sum | Aggregation::Max | Aggregation::Latest => {
                Reading { quantity: quantity(value()?)?, distinct_key: None }
            }
        };
        Ok(Some(reading))
    }
}

/// What one event counts for one metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The value (1 for a count or a unique count).
    pub quantity: Decimal,
    /// For a unique count, the pseudonym of the value counted.
    pub distinct_key: Option<String>,
}

/// The pseudonym a unique count stores for `value`: its SHA-256, so the
/// usage table never holds the user id or address it counts.
pub fn distinct_key(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Whether a payload value is a filter's value: equal, or the same text
/// (filters are written as text, so `"5"` matches the number 5).
fn same(got: &Value, want: &Value) -> bool {
    got == want
        || match (got, want) {
            (Value::Number(_) | Value::Bool(_), Value::String(w)) => {
                serde_json::from_str::<Value>(w).is_ok_and(|w| w == *got)
            }
            _ => false,
        }
}

/// The value at a dotted `path` (`usage.tokens`) of `payload`.
fn field<'a>(payload: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(payload, |v, key| v.get(key))
}

/// A usage quantity: a JSON number or a decimal string, not negative.
fn quantity(v: &Value) -> Result<Decimal, String> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.len() <= 40 => s.clone(),
        _ => return Err("a quantity is a number".into()),
    };
    let q = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| format!("{text:?} is not a number"))?;
    if q.is_sign_negative() && !q.is_zero() {
        return Err(format!("a quantity cannot be negative ({q})"));
    }
    Ok(q.normalize())
}

/// One reading to store.
#[derive(Debug, Clone)]
pub struct Usage {
    /// Customer tenant.
    pub tenant_id: Uuid,
    /// Metric.
    pub metric_id: Uuid,
    /// The event (see [`usage::Model::event_id`]).
    pub event_id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// What it counts.
    pub reading: Reading,
    /// Where from.
    pub source: UsageSource,
}

/// Rows per insert statement on SQLite: always this many but the last,
/// so the statements repeat and their preparations are reused.
const CHUNK: usize = 500;

/// Stores `readings`, skipping any already stored for the same tenant,
/// metric and event; returns how many were new. Run it in the caller's
/// transaction to store a batch all or nothing.
pub async fn record(db: &impl ConnectionTrait, readings: &[Usage]) -> ApiResult<u64> {
    if readings.is_empty() {
        return Ok(0);
    }
    if subgraph_kit::db::is_postgres(db) {
        return record_postgres(db, readings).await;
    }
    let now = Utc::now();
    let mut inserted = 0;
    for chunk in readings.chunks(CHUNK) {
        let rows = chunk.iter().map(|u| usage::ActiveModel {
            tenant_id: Set(u.tenant_id),
            metric_id: Set(u.metric_id),
            event_id: Set(u.event_id),
            occurred_at: Set(u.occurred_at),
            quantity: Set(u.reading.quantity.to_string()),
            distinct_key: Set(u.reading.distinct_key.clone()),
            source: Set(u.source),
            recorded_at: Set(now),
        });
        inserted += usage::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    usage::Column::TenantId,
                    usage::Column::MetricId,
                    usage::Column::EventId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await
            .map_err(ApiError::from)?;
    }
    Ok(inserted)
}

/// One statement for the whole batch on Postgres: the rows travel as one
/// JSON parameter, so the statement text never changes and is prepared
/// once (a multi-row VALUES list is a new statement, planned again, for
/// every batch size).
const INSERT_POSTGRES: &str = "INSERT INTO billing_usage \
    (tenant_id, metric_id, event_id, occurred_at, quantity, distinct_key, source, recorded_at) \
    SELECT tenant_id, metric_id, event_id, occurred_at, quantity, distinct_key, source, recorded_at \
    FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id uuid, metric_id uuid, event_id uuid, \
    occurred_at timestamptz, quantity text, distinct_key text, source text, recorded_at timestamptz) \
    ON CONFLICT (tenant_id, metric_id, event_id) DO NOTHING";

async fn record_postgres(db: &impl ConnectionTrait, readings: &[Usage]) -> ApiResult<u64> {
    let now = Utc::now();
    let rows: Vec<serde_json::Value> = readings
        .iter()
        .map(|u| {
            serde_json::json!({
                "tenant_id": u.tenant_id, "metric_id": u.metric_id,
                "event_id": u.event_id, "occurred_at": u.occurred_at,
                "quantity": u.reading.quantity.to_string(), "distinct_key": u.reading.distinct_key,
                "source": match u.source { UsageSource::Bus => "bus", UsageSource::Api => "api" },
                "recorded_at": now,
            })
        })
        .collect();
    let json = serde_json::Value::Array(rows).to_string();
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, INSERT_POSTGRES, [json.into()]);
    Ok(db.execute_raw(statement).await?.rows_affected())
}
