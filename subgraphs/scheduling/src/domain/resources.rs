//! Resources and their availability: creating them, weekly hours, date
//! overrides, time off and the tenant's holidays. Every id a caller names
//! is looked up in the caller's tenant first.

use backbone_entities::{
    scheduling::{
        closure, date_override,
        resource::{self, ResourceKind},
    },
    tenancy::user,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use subgraph_kit::{
    ApiError, ApiResult,
    pagination::{Page, Paged},
    tenancy::Ref,
};
use uuid::Uuid;

use super::hours::{self, DayHours, LocalWindow, Weekly};

/// A resource as submitted.
#[derive(Debug, Clone)]
pub struct NewResource {
    /// Person, room or equipment.
    pub kind: ResourceKind,
    /// Category.
    pub category: String,
    /// Name.
    pub name: String,
    /// The user a person is.
    pub user_id: Option<Uuid>,
    /// Seats.
    pub capacity: i32,
    /// IANA zone.
    pub time_zone: String,
    /// Weekly hours.
    pub weekly_hours: Vec<DayHours>,
}

/// Trimmed non-empty text of at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(ApiError::bad_input(field, format!("{field} must be 1 to {max} characters")));
    }
    Ok(v.to_owned())
}

/// A category: lower-case letters, digits, `_` and `-`, at most 64.
pub fn category(value: &str) -> ApiResult<String> {
    let c = value.trim().to_lowercase();
    if c.is_empty()
        || c.len() > 64
        || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        return Err(ApiError::bad_input("category", "a category is 1–64 letters, digits, _ or -"));
    }
    Ok(c)
}

/// Creates a resource. A person must be a user of the tenant; rooms and
/// equipment are nobody.
pub async fn create(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    r: NewResource,
) -> ApiResult<resource::Model> {
    let user_id = match (r.kind, r.user_id) {
        (ResourceKind::Person, Some(id)) => Some(Ref::<user::Entity>::find(db, tenant_id, id).await?.id()),
        (ResourceKind::Person, None) => {
            return Err(ApiError::bad_input("userId", "a person resource needs a user"));
        }
        (_, Some(_)) => return Err(ApiError::bad_input("userId", "only a person resource is a user")),
        (_, None) => None,
    };
    if !(1..=1000).contains(&r.capacity) {
        return Err(ApiError::bad_input("capacity", "capacity must be 1 to 1000"));
    }
    hours::zone("timeZone", &r.time_zone)?;
    Weekly::parse("weeklyHours", &r.weekly_hours)?;
    let row = resource::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        kind: Set(r.kind),
        category: Set(category(&r.category)?),
        name: Set(text("name", &r.name, 200)?),
        user_id: Set(user_id),
        capacity: Set(r.capacity),
        time_zone: Set(r.time_zone),
        weekly_hours: Set(Weekly::to_json(&r.weekly_hours)),
        active: Set(true),
        // Random and unique (a clash fails the insert, never the
        // constraint's meaning).
        lock_key: Set(rand::random::<i64>() & i64::MAX),
        created_at: Set(Utc::now()),
    };
    Ok(row.insert(db).await?)
}

/// Replaces a resource's weekly hours, zone or active flag.
pub async fn update(
    db: &impl ConnectionTrait,
    r: Ref<resource::Entity>,
    weekly_hours: Option<Vec<DayHours>>,
    time_zone: Option<String>,
    active: Option<bool>,
) -> ApiResult<resource::Model> {
    let mut row: resource::ActiveModel = r.row().clone().into();
    if let Some(days) = weekly_hours {
        Weekly::parse("weeklyHours", &days)?;
        row.weekly_hours = Set(Weekly::to_json(&days));
    }
    if let Some(tz) = time_zone {
        hours::zone("timeZone", &tz)?;
        row.time_zone = Set(tz);
    }
    if let Some(a) = active {
        row.active = Set(a);
    }
    Ok(row.update(db).await?)
}

/// Sets (or with `None` removes) a resource's hours on one local date.
pub async fn set_date_override(
    db: &impl ConnectionTrait,
    r: &Ref<resource::Entity>,
    date: NaiveDate,
    windows: Option<Vec<LocalWindow>>,
) -> ApiResult<()> {
    date_override::Entity::delete_many()
        .filter(date_override::Column::ResourceId.eq(r.id()))
        .filter(date_override::Column::Date.eq(date))
        .exec(db)
        .await?;
    if let Some(ws) = windows {
        hours::parse_windows("windows", &ws)?;
        date_override::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(r.tenant_id()),
            resource_id: Set(r.id()),
            date: Set(date),
            windows: Set(serde_json::to_string(&ws).unwrap_or_else(|_| "[]".into())),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Records time off for a resource.
pub async fn add_time_off(
    db: &impl ConnectionTrait,
    r: &Ref<resource::Entity>,
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    reason: &str,
) -> ApiResult<closure::Model> {
    if ends_at <= starts_at {
        return Err(ApiError::bad_input("endsAt", "the end must come after the start"));
    }
    Ok(closure::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(r.tenant_id()),
        resource_id: Set(Some(r.id())),
        starts_at: Set(Some(starts_at)),
        ends_at: Set(Some(ends_at)),
        date: Set(None),
        reason: Set(text("reason", reason, 500)?),
    }
    .insert(db)
    .await?)
}

/// Closes every resource of the tenant on a local date.
pub async fn add_holiday(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    date: NaiveDate,
    name: &str,
) -> ApiResult<closure::Model> {
    Ok(closure::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        resource_id: Set(None),
        starts_at: Set(None),
        ends_at: Set(None),
        date: Set(Some(date)),
        reason: Set(text("name", name, 200)?),
    }
    .insert(db)
    .await?)
}

/// Removes time off or a holiday; the hours it closed are open again.
pub async fn remove_closure(db: &impl ConnectionTrait, c: Ref<closure::Entity>) -> ApiResult<()> {
    closure::Entity::delete_many()
        .filter(closure::Column::TenantId.eq(c.tenant_id()))
        .filter(closure::Column::Id.eq(c.id()))
        .exec(db)
        .await?;
    Ok(())
}

/// One page of the tenant's resources, by name; `kind` narrows.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    kind: Option<ResourceKind>,
    page: &Page,
) -> ApiResult<Paged<resource::Model>> {
    let mut q = resource::Entity::find().filter(resource::Column::TenantId.eq(tenant_id));
    if let Some(k) = kind {
        q = q.filter(resource::Column::Kind.eq(k));
    }
    page.fetch_at(db, q.order_by_asc(resource::Column::Name).order_by_asc(resource::Column::Id)).await
}
