//! Offline sync: registered event types, enrolled devices, health
//! workers' assignments, accepted events, last-writer-wins records and the
//! quarantine.

pub mod assignment;
pub mod device;
pub mod event;
pub mod event_type;
pub mod quarantine;
pub mod record;

use sea_orm::entity::prelude::*;

/// How events of a type are kept.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// Every event is kept, ordered by (client time, server time): visits,
    /// vitals, logs.
    #[sea_orm(string_value = "append")]
    Append,
    /// Events are writes to one record, named by the type's record key; the
    /// latest client time wins and the losing writes are kept and audited.
    #[sea_orm(string_value = "record")]
    Record,
}
