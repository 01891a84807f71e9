//! Preferences per category and channel, and quiet hours.
//!
//! Defaults when a user set nothing: every channel on. Quiet hours hold
//! back interruptive channels (email, SMS, push) until they end; the inbox
//! and webhooks are never held. Critical notifications ignore both
//! opt-outs and quiet hours.

use backbone_entities::notifications::{preference, setting};
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};
use subgraph_kit::{
    ApiError, ApiResult,
    contract::Subject,
    pagination::{Page, Paged},
};
use uuid::Uuid;

use super::Channel;

/// One person's preference rows: theirs, in their tenant.
pub(crate) fn of(who: Subject) -> Condition {
    Condition::all()
        .add(preference::Column::TenantId.eq(who.tenant_id))
        .add(preference::Column::UserId.eq(who.user_id))
}

/// Whether `who` wants `category` on `channel`.
pub async fn enabled(
    db: &impl ConnectionTrait,
    who: Subject,
    category: &str,
    channel: Channel,
) -> ApiResult<bool> {
    let row = preference::Entity::find()
        .filter(of(who))
        .filter(preference::Column::Category.eq(category))
        .filter(preference::Column::Channel.eq(channel))
        .one(db)
        .await?;
    Ok(row.is_none_or(|p| p.enabled))
}

/// Sets one preference.
pub async fn set(
    db: &DatabaseConnection,
    who: Subject,
    category: &str,
    channel: Channel,
    on: bool,
) -> ApiResult<preference::Model> {
    let category = subgraph_kit::validate::name("category", category)?.to_ascii_lowercase();
    let existing = preference::Entity::find()
        .filter(of(who))
        .filter(preference::Column::Category.eq(category.as_str()))
        .filter(preference::Column::Channel.eq(channel))
        .one(db)
        .await?;
    Ok(match existing {
        Some(p) => {
            let mut am: preference::ActiveModel = p.into();
            am.enabled = Set(on);
            am.update(db).await?
        }
        None => {
            preference::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(who.tenant_id),
                user_id: Set(who.user_id),
                category: Set(category),
                channel: Set(channel),
                enabled: Set(on),
            }
            .insert(db)
            .await?
        }
    })
}

/// A user's preferences.
pub async fn list(db: &DatabaseConnection, who: Subject, page: &Page) -> ApiResult<Paged<preference::Model>> {
    let q = preference::Entity::find()
        .filter(of(who))
        .order_by_asc(preference::Column::Category)
        .order_by_asc(preference::Column::Channel);
    page.fetch_at(db, q).await
}

/// Sets (or with `None`, clears) a user's quiet hours.
pub async fn set_quiet_hours(
    db: &DatabaseConnection,
    who: Subject,
    hours: Option<(String, String, String)>,
) -> ApiResult<setting::Model> {
    if let Some((start, end, tz)) = &hours {
        for (field, v) in [("start", start), ("end", end)] {
            NaiveTime::parse_from_str(v, "%H:%M").map_err(|_| ApiError::bad_input(field, "use HH:MM"))?;
        }
        tz.parse::<Tz>().map_err(|_| ApiError::bad_input("timeZone", format!("unknown time zone `{tz}`")))?;
    }
    let (start, end, tz) = match hours {
        Some((s, e, tz)) => (Some(s), Some(e), tz),
        None => (None, None, "UTC".to_owned()),
    };
    let row = setting::ActiveModel {
        user_id: Set(who.user_id),
        tenant_id: Set(who.tenant_id),
        quiet_start: Set(start),
        quiet_end: Set(end),
        time_zone: Set(tz),
    };
    let exists = setting::Entity::find_by_id(who.user_id).one(db).await?.is_some();
    Ok(if exists { row.update(db).await? } else { row.insert(db).await? })
}

/// A user's quiet hours, if set.
pub async fn quiet_hours(db: &impl ConnectionTrait, who: Subject) -> ApiResult<Option<setting::Model>> {
    Ok(setting(db, who).await?.filter(|s| s.quiet_start.is_some()))
}

/// One person's settings row, in their tenant.
pub(crate) async fn setting(db: &impl ConnectionTrait, who: Subject) -> ApiResult<Option<setting::Model>> {
    Ok(setting::Entity::find_by_id(who.user_id)
        .filter(setting::Column::TenantId.eq(who.tenant_id))
        .one(db)
        .await?)
}

/// When quiet hours that contain `now` end; `None` when `now` is not quiet.
pub fn quiet_until(s: &setting::Model, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz: Tz = s.time_zone.parse().ok()?;
    let parse = |v: &Option<String>| v.as_deref().and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok());
    let (start, end) = (parse(&s.quiet_start)?, parse(&s.quiet_end)?);
    let local = now.with_timezone(&tz);
    let t = local.time();
    let quiet = if start <= end { t >= start && t < end } else { t >= start || t < end };
    if !quiet {
        return None;
    }
    let mut date = local.date_naive();
    if t >= end {
        date = date.succ_opt()?;
    }
    tz.from_local_datetime(&date.and_time(end)).earliest().map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(start: &str, end: &str) -> setting::Model {
        setting::Model {
            user_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            quiet_start: Some(start.into()),
            quiet_end: Some(end.into()),
            time_zone: "Europe/Lisbon".into(),
        }
    }

    #[test]
    fn overnight_quiet_hours() {
        let s = quiet("22:00", "07:00");
        let at = |t: &str| t.parse::<DateTime<Utc>>().expect("timestamp");
        assert_eq!(quiet_until(&s, at("2026-11-22T23:30:00Z")), Some(at("2026-11-23T07:00:00Z")));
        assert_eq!(quiet_until(&s, at("2026-11-23T06:00:00Z")), Some(at("2026-11-23T07:00:00Z")));
        assert_eq!(quiet_until(&s, at("2026-11-23T12:00:00Z")), None);
    }
}
