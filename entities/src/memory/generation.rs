//! Changed on every change of a user's memories, so caches know.

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
    /// A fresh random value on every change of the person's memories.
    pub generation: i64,
    /// A fresh random value on every removal (kept when memories are only
    /// added), so a cache knows whether it may just append.
    pub removal_epoch: i64,
    /// How many memories the person has.
    pub memory_count: i64,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
