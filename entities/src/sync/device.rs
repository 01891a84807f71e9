//! A device enrolled to one user of a tenant, which sends that user's
//! events.

use sea_orm::entity::prelude::*;

/// A row of `sync_devices`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_devices")]
pub struct Model {
    /// Id, the device id its events carry.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The user it acts for.
    pub user_id: Uuid,
    /// What its user calls it.
    pub name: String,
    /// Who enrolled it.
    pub enrolled_by: Uuid,
    /// When.
    pub enrolled_at: DateTimeUtc,
    /// When it was revoked; it sends nothing after.
    pub revoked_at: Option<DateTimeUtc>,
    /// When its last batch arrived.
    pub last_batch_at: Option<DateTimeUtc>,
    /// How far its clock ran ahead of the server's at its last batch, in
    /// milliseconds (negative: behind).
    pub clock_skew_ms: Option<i64>,
    /// The last changes cursor handed to it.
    pub last_cursor: Option<String>,
    /// The start of the minute its batches are being counted in.
    pub window_started_at: Option<DateTimeUtc>,
    /// Its batches in that minute.
    pub window_batches: i32,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
