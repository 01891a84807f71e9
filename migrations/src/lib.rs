//! The one Migrator of Backbone, for SQLite and Postgres.
//!
//! Migrations are written with SeaQuery's schema builder only, so the same
//! code produces portable DDL for both backends. Each domain adds its own
//! migration files; the order in [`Migrator::migrations`] is the order of
//! history and never changes.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_tenancy;
mod m20261122_000002_audit_outbox;

/// Applies every Backbone migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_tenancy::Migration),
            Box::new(m20261122_000002_audit_outbox::Migration),
        ]
    }
}
