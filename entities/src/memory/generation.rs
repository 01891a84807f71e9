//! Bumped on every change of a user's memories, so caches know.

use sea_orm::entity::prelude::*;

/// A row of `memory_generations`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "memory_generations")]
pub struct Model {
    /// User.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Change counter.
    pub generation: i64,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
