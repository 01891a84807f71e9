//! A user in a complaints team.

use sea_orm::entity::prelude::*;

/// A row of `complaint_team_members`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint_team_members")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Team.
    pub team_id: Uuid,
    /// Member.
    pub user_id: Uuid,
    /// Order within the team for round robin.
    pub position: i32,
    /// Inactive members are skipped by assignment.
    pub active: bool,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
