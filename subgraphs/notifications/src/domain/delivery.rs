//! Delivering notifications to endpoints, with retries.
//!
//! Webhook, SMS and push deliveries are an HTTP POST of a JSON body,
//! signed so the receiver can check it came from us and was not replayed:
//! `X-Backbone-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
//! with `X-Backbone-Timestamp` (Unix seconds) and `X-Backbone-Delivery`
//! (the delivery id, for the receiver's deduplication). A 2xx answer is
//! delivered; anything else, or no answer within the timeout, is retried
//! with exponential backoff until `max_attempts`, then marked failed with
//! the last error. Email goes through the plain SMTP relay configured as
//! `notifications.smtp_url` (a relay inside the deployment; this build
//! speaks no TLS or AUTH to it). Rows are claimed with a compare-and-set, so several
//! workers never send the same attempt twice.

use std::time::Duration;

use backbone_entities::notifications::{delivery, endpoint, notification};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use sha2::Sha256;
use subgraph_kit::{
    ApiError, ApiResult, Kit,
    contract::Subject,
    outbound::Outbound,
    pagination::{Page, Paged},
};

use crate::config::NotificationsConfig;

use super::{Channel, DeliveryStatus};

/// Signs `body` sent at `timestamp` with `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Runs delivery passes until `shutdown`.
pub async fn run(
    kit: Kit,
    config: NotificationsConfig,
    wake: std::sync::Arc<tokio::sync::Notify>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let outbound = outbound(&kit.config, &config);
    let every = Duration::from_millis(config.delivery_tick_ms.max(10));
    loop {
        if let Err(e) = pass(&kit.db, &outbound, &config, Utc::now()).await {
            tracing::warn!(error = %e, "delivery pass failed; retrying");
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
            () = wake.notified() => {}
        }
    }
}

/// The guard and client deliveries go through: no internal addresses
/// unless `outbound.allow_internal` names them, no redirects, the delivery
/// timeout.
pub fn outbound(platform: &subgraph_kit::config::Config, config: &NotificationsConfig) -> Outbound {
    Outbound::new(&platform.outbound, Duration::from_millis(config.delivery_timeout_ms))
}

/// One pass: attempts every due delivery; returns how many were attempted.
pub async fn pass(
    db: &DatabaseConnection,
    outbound: &Outbound,
    config: &NotificationsConfig,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let due = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(delivery::Column::NextAttemptAt)
        .limit(50)
        .all(db)
        .await?;
    let mut attempted = 0;
    for d in due {
        // Claim: push the next attempt past this one's timeout.
        let lease = now + chrono::Duration::milliseconds(config.delivery_timeout_ms as i64 * 2);
        let claimed = delivery::Entity::update_many()
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(Some(lease)))
            .filter(delivery::Column::Id.eq(d.id))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(delivery::Column::NextAttemptAt.eq(d.next_attempt_at))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        attempted += 1;
        let outcome = attempt(db, outbound, config, &d).await;
        record(db, config, d, outcome).await?;
    }
    Ok(attempted)
}

/// What one attempt got: an HTTP status, or why there was none.
type Outcome = Result<u16, String>;

async fn attempt(
    db: &DatabaseConnection,
    outbound: &Outbound,
    config: &NotificationsConfig,
    d: &delivery::Model,
) -> Outcome {
    let ep = endpoint::Entity::find_by_id(d.endpoint_id).one(db).await.map_err(|e| e.to_string())?;
    let n = notification::Entity::find_by_id(d.notification_id).one(db).await.map_err(|e| e.to_string())?;
    let (Some(ep), Some(n)) = (ep, n) else { return Err("endpoint or notification no longer exists".into()) };
    if !ep.active {
        return Err("endpoint deactivated".into());
    }
    if ep.channel == Channel::Email {
        return match &config.smtp_url {
            None => Err("email is not configured (notifications.smtp_url)".into()),
            Some(url) => {
                let (subject, text) = rendered(db, &n, ep.channel).await;
                send_email(url, config, &ep.target, &subject, &text).await
            }
        };
    }
    // Checked again at each attempt: the rule may be newer than the row, or
    // the name may point elsewhere now.
    let target = outbound.check(&ep.target).await.map_err(|e| format!("refused: {e}"))?;
    let (title, text) = rendered(db, &n, ep.channel).await;
    let body = serde_json::json!({
        "deliveryId": d.id,
        "notificationId": n.id,
        "tenantId": n.tenant_id,
        "userId": n.user_id,
        "channel": ep.channel,
        "to": ep.target,
        "category": n.category,
        "critical": n.critical,
        "title": title,
        "body": text,
        "data": serde_json::from_str::<serde_json::Value>(&n.data).unwrap_or_default(),
        "createdAt": n.created_at,
    });
    let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
    let ts = Utc::now().timestamp();
    let response = outbound
        .client()
        .post(target)
        .header("content-type", "application/json")
        .header("x-backbone-timestamp", ts.to_string())
        .header("x-backbone-signature", signature(&ep.secret, ts, &bytes))
        .header("x-backbone-delivery", d.id.to_string())
        .body(bytes)
        .send()
        .await
        .map_err(|e| if e.is_timeout() { "timed out".to_owned() } else { format!("request failed: {e}") })?;
    Ok(response.status().as_u16())
}

/// Sends `n` to `to` through the plain SMTP relay at `smtp://host:port`;
/// `Ok(250)` once the relay accepted it.
async fn send_email(url: &str, config: &NotificationsConfig, to: &str, subject: &str, text: &str) -> Outcome {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::header::ContentType};
    let url = reqwest::Url::parse(url).map_err(|_| "notifications.smtp_url is not a URL".to_owned())?;
    let host = url.host_str().ok_or("notifications.smtp_url has no host")?;
    let message = Message::builder()
        .from(config.email_from.parse().map_err(|e| format!("email_from: {e}"))?)
        .to(to.parse().map_err(|e| format!("recipient: {e}"))?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(text.to_owned())
        .map_err(|e| e.to_string())?;
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(25))
        .timeout(Some(Duration::from_millis(config.delivery_timeout_ms)))
        .build();
    mailer.send(message).await.map(|_| 250).map_err(|e| format!("SMTP: {e}"))
}

async fn record(
    db: &DatabaseConnection,
    config: &NotificationsConfig,
    d: delivery::Model,
    outcome: Outcome,
) -> ApiResult<()> {
    let attempts = d.attempts + 1;
    let now = Utc::now();
    let mut am: delivery::ActiveModel = d.into();
    am.attempts = Set(attempts);
    match outcome {
        Ok(code) if (200..300).contains(&code) => {
            am.status = Set(DeliveryStatus::Delivered);
            am.delivered_at = Set(Some(now));
            am.next_attempt_at = Set(None);
            am.last_status_code = Set(Some(i32::from(code)));
            am.last_error = Set(None);
        }
        failed => {
            let (code, error) = match failed {
                Ok(code) => (Some(i32::from(code)), format!("endpoint answered {code}")),
                Err(e) => (None, e),
            };
            am.last_status_code = Set(code);
            am.last_error = Set(Some(error));
            if attempts as u32 >= config.max_attempts {
                am.status = Set(DeliveryStatus::Failed);
                am.next_attempt_at = Set(None);
            } else {
                let backoff = config.retry_base_ms.saturating_mul(1 << (attempts - 1).clamp(0, 16));
                am.next_attempt_at = Set(Some(now + chrono::Duration::milliseconds(backoff as i64)));
            }
        }
    }
    am.update(db).await?;
    Ok(())
}

/// Subject and body of `n` on `channel`: the tenant's template for the
/// event type and channel when there is one, else the inbox text.
async fn rendered(db: &DatabaseConnection, n: &notification::Model, channel: Channel) -> (String, String) {
    let vars: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&n.data).unwrap_or_default();
    let event_type = vars.get("eventType").and_then(|v| v.as_str()).unwrap_or_default();
    match super::templates::custom(db, n.tenant_id, event_type, channel).await {
        Ok(Some((subject, body))) => {
            (super::templates::render(&subject, &vars), super::templates::render(&body, &vars))
        }
        _ => (n.title.clone(), n.body.clone()),
    }
}

/// Deliveries of one of `who`'s notifications, oldest first; NOT_FOUND
/// for anyone else's.
pub async fn of_notification(
    db: &DatabaseConnection,
    who: Subject,
    notification_id: uuid::Uuid,
    page: &Page,
) -> ApiResult<Paged<delivery::Model>> {
    let theirs = notification::Entity::find_by_id(notification_id)
        .one(db)
        .await?
        .is_some_and(|n| n.user_id == who.user_id && n.tenant_id == who.tenant_id);
    if !theirs {
        return Err(ApiError::NotFound("no such notification".into()));
    }
    let mut q = delivery::Entity::find().filter(delivery::Column::NotificationId.eq(notification_id));
    if let Some(after) = page.after_id()? {
        q = q.filter(delivery::Column::Id.gt(after));
    }
    Ok(page.split(q.order_by_asc(delivery::Column::Id).limit(page.limit()).all(db).await?))
}
