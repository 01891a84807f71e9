//! Idempotent consumers: "have I already handled this event?".
//!
//! Delivery is at-least-once (a relay that dies between publishing and
//! marking republishes; a consumer that dies before acknowledging is
//! redelivered). A consumer records `(consumer, event id)` in the same
//! transaction as the effect, so the effect happens once per event.

use backbone_entities::platform::consumed_event;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use crate::error::ApiResult;

/// Records that `consumer` handles `event_id` in `txn`; `false` when it
/// already did (the caller then skips the effect and rolls back).
pub async fn first_time(txn: &DatabaseTransaction, consumer: &str, event_id: Uuid) -> ApiResult<bool> {
    let row = consumed_event::ActiveModel {
        consumer: Set(consumer.to_owned()),
        event_id: Set(event_id),
        consumed_at: Set(Utc::now()),
    };
    let inserted = consumed_event::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([consumed_event::Column::Consumer, consumed_event::Column::EventId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(inserted == 1)
}
