//! Services (appointment types): what they need and the booking rules
//! they carry, checked when written and read back as [`Rules`].

use backbone_entities::scheduling::{
    resource::{self, ResourceKind},
    service,
};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use subgraph_kit::{ApiError, ApiResult, tenancy::Ref};
use uuid::Uuid;

/// One resource a service needs: of `kind`, of `category` when given, one
/// of `resource_ids` when given.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// Person, room or equipment.
    pub kind: ResourceKind,
    /// Category, e.g. `clinician` or `exam_room`.
    #[serde(default)]
    pub category: Option<String>,
    /// The set to choose from; empty = any matching resource.
    #[serde(default)]
    pub resource_ids: Vec<Uuid>,
}

impl Requirement {
    /// Whether `r` can fill it.
    pub fn accepts(&self, r: &resource::Model) -> bool {
        r.active
            && r.kind == self.kind
            && self.category.as_deref().is_none_or(|c| c == r.category)
            && (self.resource_ids.is_empty() || self.resource_ids.contains(&r.id))
    }
}

/// A service's booking rules in seconds.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The appointment's length.
    pub duration: i64,
    /// Kept free before.
    pub before: i64,
    /// Kept free after.
    pub after: i64,
    /// Earliest start relative to now.
    pub notice: i64,
    /// Latest start relative to now.
    pub window: i64,
    /// Wall-clock spacing of offered starts, minutes.
    pub step: u16,
    /// What it needs.
    pub requirements: Vec<Requirement>,
    /// Minutes before the start at which reminders go out.
    pub reminders: Vec<i32>,
}

impl Rules {
    /// The rules of a stored service.
    pub fn of(s: &service::Model) -> Self {
        Self {
            duration: i64::from(s.duration_minutes) * 60,
            before: i64::from(s.buffer_before_minutes) * 60,
            after: i64::from(s.buffer_after_minutes) * 60,
            notice: i64::from(s.min_notice_minutes) * 60,
            window: i64::from(s.booking_window_days) * 86_400,
            step: s.slot_step_minutes.clamp(1, 1440) as u16,
            requirements: serde_json::from_str(&s.requirements).unwrap_or_default(),
            reminders: serde_json::from_str(&s.reminder_offsets).unwrap_or_default(),
        }
    }

    /// The interval reserved on each resource for a start: the
    /// appointment and its buffers.
    pub fn reserved(&self, start: i64) -> (i64, i64) {
        (start - self.before, start + self.duration + self.after)
    }
}

/// A service as submitted.
#[derive(Debug, Clone)]
pub struct NewService {
    /// Name.
    pub name: String,
    /// Minutes.
    pub duration_minutes: i32,
    /// Minutes.
    pub buffer_before_minutes: i32,
    /// Minutes.
    pub buffer_after_minutes: i32,
    /// Minutes.
    pub min_notice_minutes: i32,
    /// Days.
    pub booking_window_days: i32,
    /// Minutes; the duration when `None`.
    pub slot_step_minutes: Option<i32>,
    /// Minutes.
    pub cancel_notice_minutes: i32,
    /// Minutes before the start.
    pub reminder_offsets: Vec<i32>,
    /// Patients' bookings wait for staff.
    pub requires_approval: bool,
    /// What it needs.
    pub requirements: Vec<Requirement>,
}

fn within(field: &str, value: i32, range: std::ops::RangeInclusive<i32>) -> ApiResult<i32> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input(field, format!("{field} must be {} to {}", range.start(), range.end())))
    }
}

/// Creates a service after checking every rule and that each requirement
/// can be met by a resource of the tenant.
pub async fn create(db: &impl ConnectionTrait, tenant_id: Uuid, s: NewService) -> ApiResult<service::Model> {
    let name = super::resources::text("name", &s.name, 200)?;
    let duration = within("durationMinutes", s.duration_minutes, 5..=1440)?;
    within("bufferBeforeMinutes", s.buffer_before_minutes, 0..=240)?;
    within("bufferAfterMinutes", s.buffer_after_minutes, 0..=240)?;
    within("minNoticeMinutes", s.min_notice_minutes, 0..=525_600)?;
    within("bookingWindowDays", s.booking_window_days, 1..=730)?;
    let step = within("slotStepMinutes", s.slot_step_minutes.unwrap_or(duration), 5..=1440)?;
    within("cancelNoticeMinutes", s.cancel_notice_minutes, 0..=525_600)?;
    if s.reminder_offsets.len() > 5 {
        return Err(ApiError::bad_input("reminderOffsetsMinutes", "at most 5 reminders"));
    }
    for &o in &s.reminder_offsets {
        within("reminderOffsetsMinutes", o, 1..=43_200)?;
    }
    if s.requirements.is_empty() || s.requirements.len() > 5 {
        return Err(ApiError::bad_input("requirements", "a service needs 1 to 5 resources"));
    }
    let mut requirements = Vec::with_capacity(s.requirements.len());
    for mut req in s.requirements {
        req.category = req.category.map(|c| super::resources::category(&c)).transpose()?;
        for id in &req.resource_ids {
            let r = Ref::<resource::Entity>::find(db, tenant_id, *id).await?;
            if !req.accepts(r.row()) {
                return Err(ApiError::bad_input(
                    "requirements",
                    format!("resource {id} is not an active {:?} of that category", req.kind),
                ));
            }
        }
        let mut any = resource::Entity::find()
            .filter(resource::Column::TenantId.eq(tenant_id))
            .filter(resource::Column::Kind.eq(req.kind))
            .filter(resource::Column::Active.eq(true));
        if let Some(c) = &req.category {
            any = any.filter(resource::Column::Category.eq(c.as_str()));
        }
        if any.one(db).await?.is_none() {
            return Err(ApiError::bad_input(
                "requirements",
                format!(
                    "no active {:?} resource{} exists in this tenant",
                    req.kind,
                    req.category.as_deref().map(|c| format!(" of category {c}")).unwrap_or_default()
                ),
            ));
        }
        requirements.push(req);
    }
    Ok(service::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        name: Set(name),
        duration_minutes: Set(duration),
        buffer_before_minutes: Set(s.buffer_before_minutes),
        buffer_after_minutes: Set(s.buffer_after_minutes),
        min_notice_minutes: Set(s.min_notice_minutes),
        booking_window_days: Set(s.booking_window_days),
        slot_step_minutes: Set(step),
        cancel_notice_minutes: Set(s.cancel_notice_minutes),
        requirements: Set(json(&requirements)),
        reminder_offsets: Set(json(&s.reminder_offsets)),
        requires_approval: Set(s.requires_approval),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// Opens or closes a service for booking; booked appointments stay.
pub async fn set_active(
    db: &impl ConnectionTrait,
    s: Ref<service::Entity>,
    active: bool,
) -> ApiResult<service::Model> {
    let mut row: service::ActiveModel = s.row().clone().into();
    row.active = Set(active);
    Ok(row.update(db).await?)
}

/// JSON text of a value that always serializes (plain structs and numbers).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}
