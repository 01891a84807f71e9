//! A person a health worker records for.

use sea_orm::entity::prelude::*;

/// A row of `sync_assignments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_assignments")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The health worker.
    pub worker_id: Uuid,
    /// The person they record for.
    pub subject_id: Uuid,
    /// Who assigned them.
    pub assigned_by: Uuid,
    /// When.
    pub assigned_at: DateTimeUtc,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
