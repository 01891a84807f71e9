//! Today's figures for the live tenant metrics: appointments on the
//! calendar and no-shows, "today" being the local date in a given zone.

use backbone_entities::scheduling::appointment::{self, AppointmentStatus as S};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{calendar::to_utc, hours};

/// Statuses that count as an appointment on the day's calendar.
const ON_CALENDAR: [S; 5] = [S::Scheduled, S::CheckedIn, S::InProgress, S::Completed, S::NoShow];

/// Which of today's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Appointments starting today that are (or were) on the calendar.
    Appointments,
    /// Of those, the no-shows.
    NoShows,
}

/// `figure` for `tenant_id` on the local date of `now` in `zone`.
pub async fn today(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    figure: Figure,
    zone: &str,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let (from, to) = local_day(zone, now)?;
    let statuses: &[S] = match figure {
        Figure::Appointments => &ON_CALENDAR,
        Figure::NoShows => &[S::NoShow],
    };
    Ok(appointment::Entity::find()
        .filter(appointment::Column::TenantId.eq(tenant_id))
        .filter(appointment::Column::StartsAt.gte(from))
        .filter(appointment::Column::StartsAt.lt(to))
        .filter(appointment::Column::Status.is_in(statuses.iter().copied()))
        .count(db)
        .await?)
}

/// The instants the local date of `now` in `zone` begins and ends (a
/// daylight-saving day is 23 or 25 hours long).
pub fn local_day(zone: &str, now: DateTime<Utc>) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = hours::zone("timeZone", zone)?;
    let internal = |e: jiff::Error| ApiError::Internal(e.to_string());
    let today = jiff::Timestamp::from_second(now.timestamp()).map_err(internal)?.to_zoned(tz.clone()).date();
    let start = today.to_zoned(tz.clone()).map_err(internal)?;
    let end = today.tomorrow().map_err(internal)?.to_zoned(tz).map_err(internal)?;
    Ok((to_utc(start.timestamp().as_second()), to_utc(end.timestamp().as_second())))
}
