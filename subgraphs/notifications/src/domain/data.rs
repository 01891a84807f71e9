//! The notifications subgraph's side of the data contract: the person's
//! inbox, deliveries, preferences, quiet hours and endpoints. Retention
//! purges inbox items by age.

use async_trait::async_trait;
use backbone_entities::notifications::{delivery, endpoint, notification, preference, setting};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, counts},
};
use uuid::Uuid;

use super::preferences;

/// Notifications' data contract.
pub struct NotificationsData;

#[async_trait]
impl DataContract for NotificationsData {
    fn data_types(&self) -> &'static [&'static str] {
        &["notifications"]
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let inbox = notification::Entity::find()
            .filter(notification::Column::TenantId.eq(who.tenant_id))
            .filter(notification::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        let prefs = preference::Entity::find().filter(preferences::of(who.subject())).all(db).await?;
        let quiet = preferences::setting(db, who.subject()).await?;
        let endpoints = endpoint::Entity::find()
            .filter(endpoint::Column::TenantId.eq(who.tenant_id))
            .filter(endpoint::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        Ok(json!({
            "notifications": inbox.iter().map(|n| json!({
                "category": n.category, "title": n.title, "body": n.body, "readAt": n.read_at, "createdAt": n.created_at,
            })).collect::<Vec<_>>(),
            "preferences": prefs.iter().map(|p| json!({"category": p.category, "channel": p.channel, "enabled": p.enabled})).collect::<Vec<_>>(),
            "quietHours": quiet.iter().map(|q| json!({"start": q.quiet_start, "end": q.quiet_end, "timeZone": q.time_zone})).collect::<Vec<_>>(),
            "endpoints": endpoints.iter().map(|e| json!({"channel": e.channel, "target": e.target})).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let mut ids = notification_ids(txn, who.tenant_id, Some(who.user_id), None, &[]).await?;
        // Other people's notifications about them: the event's variables
        // name the person or their address (a reporter's complaint assigned
        // to staff), and carry their text.
        let about = notification::Entity::find()
            .filter(notification::Column::TenantId.eq(who.tenant_id))
            .filter(notification::Column::UserId.ne(who.user_id))
            .filter(who.named_in(notification::Column::Data))
            .all(txn)
            .await?;
        let others = about.len() as u64;
        ids.extend(about.into_iter().map(|n| n.id));
        let endpoint_ids: Vec<Uuid> = endpoint::Entity::find()
            .filter(endpoint::Column::TenantId.eq(who.tenant_id))
            .filter(endpoint::Column::UserId.eq(who.user_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let deliveries = delivery::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(delivery::Column::NotificationId.is_in(ids.clone()))
                    .add(delivery::Column::EndpointId.is_in(endpoint_ids.clone())),
            )
            .exec(txn)
            .await?
            .rows_affected;
        let inbox = notification::Entity::delete_many()
            .filter(notification::Column::Id.is_in(ids))
            .exec(txn)
            .await?
            .rows_affected;
        let endpoints = endpoint::Entity::delete_many()
            .filter(endpoint::Column::Id.is_in(endpoint_ids))
            .exec(txn)
            .await?
            .rows_affected;
        let prefs = preference::Entity::delete_many()
            .filter(preferences::of(who.subject()))
            .exec(txn)
            .await?
            .rows_affected;
        let quiet = setting::Entity::delete_many()
            .filter(setting::Column::TenantId.eq(who.tenant_id))
            .filter(setting::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(counts([
            ("notifications", inbox),
            ("notifications_about_them", others),
            ("notification_deliveries", deliveries),
            ("notification_endpoints", endpoints),
            ("notification_preferences", prefs),
            ("notification_settings", quiet),
        ]))
    }

    async fn purge(&self, db: &DatabaseConnection, p: &Purge) -> ApiResult<u64> {
        let ids = notification_ids(db, p.tenant_id, None, Some(p.before), &p.exceptions).await?;
        if p.dry_run {
            return Ok(ids.len() as u64);
        }
        let txn = db.begin().await?;
        delivery::Entity::delete_many()
            .filter(delivery::Column::NotificationId.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        let n = notification::Entity::delete_many()
            .filter(notification::Column::Id.is_in(ids))
            .exec(&txn)
            .await?
            .rows_affected;
        subgraph_kit::db::commit(txn).await?;
        Ok(n)
    }
}

async fn notification_ids(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    user: Option<Uuid>,
    before: Option<chrono::DateTime<chrono::Utc>>,
    except: &[Uuid],
) -> ApiResult<Vec<Uuid>> {
    let mut q = notification::Entity::find().filter(notification::Column::TenantId.eq(tenant_id));
    if let Some(u) = user {
        q = q.filter(notification::Column::UserId.eq(u));
    }
    if let Some(b) = before {
        q = q.filter(notification::Column::CreatedAt.lt(b));
    }
    if !except.is_empty() {
        q = q.filter(notification::Column::UserId.is_not_in(except.to_vec()));
    }
    Ok(q.all(db).await?.into_iter().map(|n| n.id).collect())
}
