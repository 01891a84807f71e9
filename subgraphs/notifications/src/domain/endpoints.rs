//! Where notifications go besides the inbox: webhook URLs, SMS and push
//! provider URLs (webhook-style), and email addresses. Each endpoint has
//! its own signing secret, shown once when it is registered.

use backbone_entities::notifications::endpoint;
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use subgraph_kit::{
    ApiError, ApiResult,
    outbound::Outbound,
    pagination::{Page, Paged},
    validate,
};
use uuid::Uuid;

use super::Channel;

/// Longest endpoint target (URL or email address), in characters.
pub const MAX_TARGET: usize = 2_048;

/// Registers an endpoint; `user_id` `None` makes it tenant-wide (every
/// notification of the tenant). URLs must not reach inside the network
/// ([`Outbound::check`]). Returns the row, whose secret the caller shows
/// once.
pub async fn register(
    db: &DatabaseConnection,
    outbound: &Outbound,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    channel: Channel,
    target: &str,
) -> ApiResult<endpoint::Model> {
    let target = target.trim();
    if target.chars().count() > MAX_TARGET {
        return Err(ApiError::bad_input("target", format!("target must be at most {MAX_TARGET} characters")));
    }
    match channel {
        Channel::Webhook | Channel::Sms | Channel::Push => {
            outbound.check(target).await.map_err(|e| ApiError::bad_input("target", format!("target {e}")))?;
        }
        Channel::Email => {
            validate::email("target", target)?;
        }
        _ => {
            return Err(ApiError::bad_input("channel", "endpoints are for webhook, email, sms or push"));
        }
    }
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    Ok(endpoint::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        channel: Set(channel),
        target: Set(target.to_owned()),
        secret: Set(format!("whsec_{}", hex::encode(secret))),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// The active endpoints a notification for `user_id` goes to: theirs and
/// the tenant-wide ones.
pub async fn for_user(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> ApiResult<Vec<endpoint::Model>> {
    Ok(endpoint::Entity::find()
        .filter(endpoint::Column::TenantId.eq(tenant_id))
        .filter(endpoint::Column::Active.eq(true))
        .filter(
            Condition::any()
                .add(endpoint::Column::UserId.eq(user_id))
                .add(endpoint::Column::UserId.is_null()),
        )
        .all(db)
        .await?)
}

/// Endpoints a caller may list: their own, plus tenant-wide when `all`.
pub async fn list(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    all: bool,
    page: &Page,
) -> ApiResult<Paged<endpoint::Model>> {
    let mut q = endpoint::Entity::find().filter(endpoint::Column::TenantId.eq(tenant_id));
    if !all {
        q = q.filter(endpoint::Column::UserId.eq(user_id));
    }
    if let Some(after) = page.after_id()? {
        q = q.filter(endpoint::Column::Id.gt(after));
    }
    Ok(page.split(q.order_by_asc(endpoint::Column::Id).limit(page.limit()).all(db).await?))
}
