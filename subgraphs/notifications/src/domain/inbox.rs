//! Turning events into notifications, exactly once per event and user.
//!
//! [`handle`] runs in one transaction: record the event as consumed (a
//! redelivered event stops here), write each recipient's notification, its
//! `notification.created` event and its pending deliveries. The unique
//! `(user, source event)` index is a second guard.

use backbone_entities::notifications::{delivery, notification};
use backbone_entities::tenancy::user;
use backbone_schema::{EventEnvelope, event_types::NOTIFICATION_CREATED};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use subgraph_kit::{
    ApiError, ApiResult, consumed,
    contract::Subject,
    outbox,
    pagination::{Page, Paged},
    tenancy::Ref,
};
use uuid::Uuid;

use super::{Channel, DeliveryStatus, audience, endpoints, preferences, templates};

/// The consumer name in `consumed_events` and the bus consumer group.
pub const CONSUMER: &str = "notifications";

/// Handles one event; returns how many notifications it created.
pub async fn handle(db: &DatabaseConnection, event: &EventEnvelope) -> ApiResult<usize> {
    let Some(audience) = audience(event) else { return Ok(0) };
    if !templates::known(&event.event_type) {
        return Ok(0);
    }
    let txn = db.begin().await?;
    if !consumed::first_time(&txn, CONSUMER, event.id).await? {
        txn.rollback().await?;
        return Ok(0);
    }
    let mut vars = templates::variables(&event.payload);
    // Kept with the notification: deliveries render their channel's template later.
    vars.insert("eventType".into(), event.event_type.clone().into());
    let now = Utc::now();
    let mut created = 0;
    for user in audience.users {
        let who = Subject { tenant_id: event.tenant_id, user_id: user };
        // Only people of the event's own tenant are told about it.
        if Ref::<user::Entity>::find(&txn, event.tenant_id, user).await.is_err() {
            tracing::warn!(event = %event.id, "an event names a user outside its tenant; not notified");
            continue;
        }
        let in_app =
            audience.critical || preferences::enabled(&txn, who, audience.category, Channel::InApp).await?;
        let (title, body) =
            match templates::for_event(&txn, event.tenant_id, &event.event_type, Channel::InApp).await? {
                Some((s, b)) => (templates::render(&s, &vars), templates::render(&b, &vars)),
                None => continue,
            };
        let row = notification::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(event.tenant_id),
            user_id: Set(user),
            category: Set(audience.category.to_owned()),
            critical: Set(audience.critical),
            title: Set(title),
            body: Set(body),
            data: Set(serde_json::Value::Object(vars.clone()).to_string()),
            source_event_id: Set(event.id),
            // In-app turned off: kept as a record, already read, not pushed.
            read_at: Set((!in_app).then_some(now)),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        if in_app {
            let snapshot = serde_json::to_value(&row).map_err(|e| ApiError::Internal(e.to_string()))?;
            let payload = serde_json::json!({"userId": user, "notification": snapshot});
            outbox::enqueue(&txn, event.tenant_id, event.actor, NOTIFICATION_CREATED, payload).await?;
        }
        let quiet = preferences::quiet_hours(&txn, who).await?;
        for ep in endpoints::for_user(&txn, event.tenant_id, user).await? {
            if !audience.critical && !preferences::enabled(&txn, who, audience.category, ep.channel).await? {
                continue;
            }
            let interruptive = ep.channel.interrupts();
            let held = (interruptive && !audience.critical)
                .then(|| quiet.as_ref().and_then(|q| preferences::quiet_until(q, now)))
                .flatten();
            delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(event.tenant_id),
                notification_id: Set(row.id),
                endpoint_id: Set(ep.id),
                channel: Set(ep.channel),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(0),
                next_attempt_at: Set(Some(held.unwrap_or(now))),
                last_error: Set(None),
                last_status_code: Set(None),
                created_at: Set(now),
                delivered_at: Set(None),
            }
            .insert(&txn)
            .await?;
        }
        created += 1;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(created)
}

/// The rows of one person's inbox: theirs, in their tenant. A row naming
/// them in another tenant is never theirs to read.
fn of(who: Subject) -> Condition {
    Condition::all()
        .add(notification::Column::TenantId.eq(who.tenant_id))
        .add(notification::Column::UserId.eq(who.user_id))
}

/// A user's notifications, newest first.
pub async fn list(
    db: &DatabaseConnection,
    who: Subject,
    unread_only: bool,
    page: &Page,
) -> ApiResult<Paged<notification::Model>> {
    let mut q = notification::Entity::find().filter(of(who));
    if unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(after) = page.after_id()? {
        q = q.filter(notification::Column::Id.lt(after));
    }
    Ok(page.split(q.order_by_desc(notification::Column::Id).limit(page.limit()).all(db).await?))
}

/// How many unread notifications a user has.
pub async fn unread(db: &DatabaseConnection, who: Subject) -> ApiResult<u64> {
    Ok(notification::Entity::find()
        .filter(of(who))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Unread notifications across a tenant (dashboards).
pub async fn tenant_unread(db: &DatabaseConnection, tenant_id: Uuid) -> ApiResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::TenantId.eq(tenant_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of the user's notifications read (idempotent).
pub async fn mark_read(db: &DatabaseConnection, who: Subject, id: Uuid) -> ApiResult<notification::Model> {
    let row = notification::Entity::find_by_id(id)
        .filter(of(who))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such notification".into()))?;
    if row.read_at.is_some() {
        return Ok(row);
    }
    let mut am: notification::ActiveModel = row.into();
    am.read_at = Set(Some(Utc::now()));
    Ok(am.update(db).await?)
}

/// Marks every unread notification of the user read; returns how many.
pub async fn mark_all_read(db: &DatabaseConnection, who: Subject) -> ApiResult<u64> {
    let done = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(of(who))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
