//! What changed for a device since it last pulled: the append-stream
//! events and the records' current states about the people its user
//! records for (themselves and those assigned to them), that other
//! devices sent, in the order the server accepted them.
//!
//! A cursor is a position in each of the two orders, (server time, id) of
//! events and (updated at, id) of records. Ingestion stamps rows with the
//! time its transaction began, so a row may commit after a later-stamped
//! one; rows younger than `[sync] changes_settle_ms` are therefore left
//! for the next pull, and a cursor never moves past a row still to commit
//! (as long as no ingestion transaction runs longer than the settle time).

use backbone_entities::sync::{Stream, assignment, device, event, record};
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::{Services, devices, invalid};

/// A position in both orders; `None`: before the first row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The last event handed out: its server time and id.
    pub events: Option<(DateTime<Utc>, Uuid)>,
    /// The last record state handed out: its update time and id.
    pub records: Option<(DateTime<Utc>, Uuid)>,
}

impl Cursor {
    /// Reads a cursor this module wrote; anything else is `INVALID_CURSOR`.
    pub fn parse(text: &str) -> ApiResult<Self> {
        let bad = || invalid("INVALID_CURSOR", "since: not a cursor this API handed out");
        let parts: Vec<&str> = text.split('.').collect();
        let ["1", et, ei, rt, ri] = parts[..] else { return Err(bad()) };
        let position = |t: &str, i: &str| -> ApiResult<Option<(DateTime<Utc>, Uuid)>> {
            if t == "0" && i == "0" {
                return Ok(None);
            }
            let micros: i64 = t.parse().map_err(|_| bad())?;
            let at = Utc.timestamp_micros(micros).single().ok_or_else(bad)?;
            Ok(Some((at, Uuid::parse_str(i).map_err(|_| bad())?)))
        };
        Ok(Self { events: position(et, ei)?, records: position(rt, ri)? })
    }

    /// Its text: opaque to clients, URL-safe.
    pub fn text(&self) -> String {
        let part = |p: Option<(DateTime<Utc>, Uuid)>| match p {
            Some((at, id)) => format!("{}.{}", at.timestamp_micros(), id.simple()),
            None => "0.0".to_owned(),
        };
        format!("1.{}.{}", part(self.events), part(self.records))
    }
}

/// One pull's answer.
#[derive(Debug)]
pub struct Changes {
    /// Append-stream events, oldest accepted first.
    pub events: Vec<event::Model>,
    /// Records whose state changed, least recently changed first.
    pub records: Vec<record::Model>,
    /// Where the next pull starts.
    pub cursor: Cursor,
    /// Whether either list stopped at `first`: pull again at once.
    pub has_more: bool,
}

/// The changes for device `device_id` of `user` after `since`, at most
/// `first` of each kind; the cursor handed out is kept on the device.
pub async fn pull(
    s: &Services,
    tenant_id: Uuid,
    user: Uuid,
    device_id: &str,
    since: Option<Cursor>,
    first: u64,
) -> ApiResult<Changes> {
    let device = devices::reachable(&s.db, tenant_id, device_id, Some(user)).await?.row().clone();
    if device.revoked_at.is_some() {
        return Err(ApiError::Because {
            code: backbone_schema::ErrorCode::Forbidden,
            reason: "DEVICE_REVOKED",
            message: "this device was revoked".into(),
        });
    }
    let since = since.unwrap_or_default();
    let settled = Utc::now() - Duration::milliseconds(s.settings.changes_settle_ms as i64);
    let circle = Condition::any()
        .add(event::Column::SubjectId.eq(user))
        .add(event::Column::SubjectId.in_subquery(assigned(tenant_id, user)));
    let mut events = event::Entity::find()
        .filter(event::Column::TenantId.eq(tenant_id))
        .filter(event::Column::Stream.eq(Stream::Append))
        .filter(event::Column::DeviceId.ne(device.id))
        .filter(circle)
        .filter(event::Column::ServerTime.lte(settled))
        .order_by_asc(event::Column::ServerTime)
        .order_by_asc(event::Column::Id)
        .limit(first + 1);
    if let Some((at, id)) = since.events {
        events = events.filter(after(event::Column::ServerTime, event::Column::Id, at, id));
    }
    let mut events = events.all(&s.db).await?;
    let circle = Condition::any()
        .add(record::Column::SubjectId.eq(user))
        .add(record::Column::SubjectId.in_subquery(assigned(tenant_id, user)));
    let mut records = record::Entity::find()
        .filter(record::Column::TenantId.eq(tenant_id))
        .filter(record::Column::DeviceId.ne(device.id))
        .filter(circle)
        .filter(record::Column::UpdatedAt.lte(settled))
        .order_by_asc(record::Column::UpdatedAt)
        .order_by_asc(record::Column::Id)
        .limit(first + 1);
    if let Some((at, id)) = since.records {
        records = records.filter(after(record::Column::UpdatedAt, record::Column::Id, at, id));
    }
    let mut records = records.all(&s.db).await?;
    let has_more = events.len() as u64 > first || records.len() as u64 > first;
    events.truncate(first as usize);
    records.truncate(first as usize);
    let cursor = Cursor {
        events: events.last().map(|e| (e.server_time, e.id)).or(since.events),
        records: records.last().map(|r| (r.updated_at, r.id)).or(since.records),
    };
    remember(&s.db, device, &cursor).await?;
    Ok(Changes { events, records, cursor, has_more })
}

/// The people `worker` is assigned to.
fn assigned(tenant_id: Uuid, worker: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(assignment::Column::SubjectId)
        .from(assignment::Entity)
        .and_where(assignment::Column::TenantId.eq(tenant_id))
        .and_where(assignment::Column::WorkerId.eq(worker))
        .to_owned()
}

/// Rows after `(at, id)` in `(time, id)` order.
fn after<C: ColumnTrait>(time: C, id_column: C, at: DateTime<Utc>, id: Uuid) -> Condition {
    Condition::any().add(time.gt(at)).add(Condition::all().add(time.eq(at)).add(id_column.gt(id)))
}

/// Keeps the cursor handed to `device` (for its owner and admins to see
/// how far it has pulled).
async fn remember(db: &impl ConnectionTrait, device: device::Model, cursor: &Cursor) -> ApiResult<()> {
    let text = cursor.text();
    if device.last_cursor.as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    let mut row = device.into_active_model();
    row.last_cursor = Set(Some(text));
    row.update(db).await?;
    Ok(())
}
