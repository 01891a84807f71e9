//! Routes complaints of a category and/or region to a team.

use sea_orm::entity::prelude::*;

/// A row of `complaint_routing_rules`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "complaint_routing_rules")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Category matched; `None` matches any.
    pub category: Option<String>,
    /// Region matched; `None` matches any.
    pub region: Option<String>,
    /// Team that receives matches.
    pub team_id: Uuid,
    /// Lower ranks are tried first.
    pub rank: i32,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
