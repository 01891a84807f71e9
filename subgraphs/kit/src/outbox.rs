//! The transactional outbox and its relay (docs/design.md §6).
//!
//! [`enqueue`] writes an event in the same transaction as the change, so an
//! event exists exactly when its change committed. [`Relay`] publishes
//! pending rows in id order and marks them published; a relay that dies
//! between publishing and marking republishes on restart, which is why
//! delivery is at-least-once and consumers deduplicate by event id. On
//! Postgres, batches are claimed with `FOR UPDATE SKIP LOCKED`, so several
//! replicas can relay the same outbox without publishing a row twice
//! concurrently.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use backbone_entities::platform::outbox;
use backbone_schema::EventEnvelope;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait,
    sea_query::{Expr, LockBehavior, LockType, Order, Query},
};
use uuid::Uuid;

use crate::{
    bus::{EventBus, Unpublished},
    config::OutboxConfig,
    db::is_postgres,
    error::ApiResult,
};

/// Writes one event into the outbox inside `txn`.
pub async fn enqueue(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    event_type: &str,
    payload: serde_json::Value,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    outbox::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        event_type: Set(event_type.to_owned()),
        actor: Set(actor),
        payload: Set(payload.to_string()),
        occurred_at: Set(Utc::now()),
        published_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(id)
}

/// An event for [`enqueue_many`], with the id its envelope will carry.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The envelope id: a UUID v7, so the relay keeps the order of ids.
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Who caused it.
    pub actor: Option<Uuid>,
    /// Event type.
    pub event_type: String,
    /// Payload.
    pub payload: serde_json::Value,
}

/// Writes many events into the outbox inside `txn`, a few statements in
/// all, each under the id it carries (so a consumer that deduplicates by
/// envelope id acts once per id the caller chose).
pub async fn enqueue_many(txn: &DatabaseTransaction, events: Vec<Pending>) -> ApiResult<()> {
    let now = Utc::now();
    let mut rows = events.into_iter().map(|e| outbox::ActiveModel {
        id: Set(e.id),
        tenant_id: Set(e.tenant_id),
        event_type: Set(e.event_type),
        actor: Set(e.actor),
        payload: Set(e.payload.to_string()),
        occurred_at: Set(now),
        published_at: Set(None),
    });
    loop {
        // 7 columns a row: well under both backends' limits on parameters.
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        outbox::Entity::insert_many(chunk).exec_without_returning(txn).await?;
    }
}

/// Publishes the outbox to the bus.
pub struct Relay {
    db: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    config: OutboxConfig,
}

impl Relay {
    /// A relay; commits through [`crate::db::commit`] cut its poll delay.
    pub fn new(db: DatabaseConnection, bus: Arc<dyn EventBus>, config: OutboxConfig) -> Self {
        Self { db, bus, config }
    }

    /// Runs until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let idle = Duration::from_millis(self.config.poll_interval_ms);
        let mut commits = crate::db::commits();
        let mut next_sweep = Instant::now();
        loop {
            // Commits from here on wake the wait below.
            commits.borrow_and_update();
            if Instant::now() >= next_sweep {
                next_sweep = Instant::now() + SWEEP_EVERY;
                if let Err(err) = self.sweep().await {
                    tracing::warn!(error = %err, "outbox sweep failed; retrying later");
                }
            }
            let delay = match self.relay_batch().await {
                Ok(n) if n as u64 >= self.config.batch_size => Duration::ZERO,
                Ok(_) => idle,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay failed; retrying");
                    idle * 10
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(delay) => {}
                _ = commits.changed() => {}
            }
        }
    }

    /// Publishes one batch; returns how many events it published.
    ///
    /// One statement claims the oldest unpublished rows and marks them
    /// published (on Postgres, skipping rows another relay holds); the
    /// mark commits only after the bus took them. What the bus did not
    /// take is unmarked in the same transaction, so it goes out first in
    /// the next pass (per-tenant order).
    pub async fn relay_batch(&self) -> Result<usize, RelayError> {
        let txn = self.db.begin().await?;
        let now = Utc::now();
        let mut oldest = Query::select();
        oldest
            .column(outbox::Column::Id)
            .from(outbox::Entity)
            .and_where(outbox::Column::PublishedAt.is_null())
            .order_by(outbox::Column::Id, Order::Asc)
            .limit(self.config.batch_size);
        if is_postgres(&txn) {
            oldest.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let mut rows = outbox::Entity::update_many()
            .col_expr(outbox::Column::PublishedAt, Expr::value(now))
            .filter(outbox::Column::Id.in_subquery(oldest))
            .exec_with_returning(&txn)
            .await?;
        if rows.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        rows.sort_unstable_by_key(|row| row.id);
        let envelopes: Vec<EventEnvelope> = rows.iter().map(to_envelope).collect();
        // In id order, in as few round trips as the bus allows.
        let count = match self.bus.publish_many(&envelopes).await {
            Ok(()) => rows.len(),
            Err(Unpublished { published, error }) => {
                let event = rows.get(published).map(|row| row.id);
                tracing::warn!(%error, ?event, "publish failed");
                metrics::counter!("backbone_outbox_publish_failures_total").increment(1);
                published.min(rows.len())
            }
        };
        if count < rows.len() {
            outbox::Entity::update_many()
                .col_expr(outbox::Column::PublishedAt, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(outbox::Column::Id.is_in(rows[count..].iter().map(|row| row.id)))
                .exec(&txn)
                .await?;
        }
        // The relay's own commit wakes no relay.
        #[allow(clippy::disallowed_methods)]
        txn.commit().await?;
        for row in &rows[..count] {
            let waited = (now - row.occurred_at).to_std().unwrap_or_default();
            metrics::histogram!("backbone_outbox_lag_seconds").record(waited.as_secs_f64());
        }
        metrics::counter!("backbone_outbox_published_total").increment(count as u64);
        Ok(count)
    }

    /// Deletes published events older than `outbox.retain_published_seconds`,
    /// in statements of [`SWEEP_CHUNK`] rows (short transactions; on
    /// Postgres skipping rows another replica's sweep holds). Returns how
    /// many it deleted. The relay runs it every [`SWEEP_EVERY`].
    pub async fn sweep(&self) -> Result<u64, RelayError> {
        let retain = i64::try_from(self.config.retain_published_seconds).ok();
        // A retention past what a date can hold keeps everything.
        let Some(cutoff) =
            retain.and_then(chrono::TimeDelta::try_seconds).and_then(|d| Utc::now().checked_sub_signed(d))
        else {
            return Ok(0);
        };
        let postgres = is_postgres(&self.db);
        let mut swept = 0;
        loop {
            let mut old = Query::select();
            old.column(outbox::Column::Id)
                .from(outbox::Entity)
                .and_where(outbox::Column::PublishedAt.lt(cutoff))
                .order_by(outbox::Column::Id, Order::Asc)
                .limit(SWEEP_CHUNK);
            if postgres {
                old.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            }
            let deleted = outbox::Entity::delete_many()
                .filter(outbox::Column::Id.in_subquery(old))
                .exec(&self.db)
                .await?;
            swept += deleted.rows_affected;
            if deleted.rows_affected < SWEEP_CHUNK {
                break;
            }
        }
        metrics::counter!("backbone_outbox_swept_total").increment(swept);
        Ok(swept)
    }
}

/// Published rows one sweep statement deletes at most.
const SWEEP_CHUNK: u64 = 10_000;
/// How often the running relay sweeps published rows.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Relay failures (database only: publish failures are retried in place).
#[derive(Debug, thiserror::Error)]
#[error("outbox relay: {0}")]
pub struct RelayError(#[from] sea_orm::DbErr);

fn to_envelope(row: &outbox::Model) -> EventEnvelope {
    EventEnvelope {
        id: row.id,
        event_type: row.event_type.clone(),
        tenant_id: row.tenant_id,
        occurred_at: row.occurred_at,
        actor: row.actor,
        payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
    }
}

/// Number of events not yet published (for readiness and tests).
pub async fn pending(db: &impl ConnectionTrait) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(outbox::Entity::find().filter(outbox::Column::PublishedAt.is_null()).count(db).await?)
}
