//! The one Migrator of Backbone, for SQLite and Postgres.
//!
//! Migrations are written with SeaQuery's schema builder only, so the same
//! code produces portable DDL for both backends. Each domain adds its own
//! migration files; the order in [`Migrator::migrations`] is the order of
//! history and never changes.
//!
//! On Postgres every table holding a tenant's rows is under row-level
//! security ([`m20261207_000023_row_level_security`]): a migration that adds
//! such a table enables it the same way, and the `row_level_security` test
//! fails until it does.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_tenancy;
mod m20261122_000002_audit_outbox;
mod m20261122_000003_complaints;
mod m20261122_000004_notifications;
mod m20261122_000005_consumed_events;
mod m20261122_000006_consent_ai_memory;
mod m20261123_000007_memory_recall;
mod m20261129_000008_ai_budget_overrun;
mod m20261129_000009_audit_checkpoints;
mod m20261130_000010_scheduling;
mod m20261201_000011_scheduling_series_waitlist;
mod m20261201_000012_dead_events;
mod m20261201_000013_billing_catalogue;
mod m20261202_000014_billing_usage;
mod m20261202_000015_billing_subscriptions;
mod m20261203_000016_billing_invoices;
mod m20261203_000017_billing_entitlements;
mod m20261203_000018_billing_credits;
mod m20261203_000019_billing_payments;
mod m20261204_000020_entitlement_quotas;
mod m20261204_000021_billing_cards;
mod m20261206_000022_documents;
pub mod m20261207_000023_row_level_security;
mod m20261207_000024_sync;
mod m20261207_000025_relay_and_pull_indexes;

/// Applies every Backbone migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_tenancy::Migration),
            Box::new(m20261122_000002_audit_outbox::Migration),
            Box::new(m20261122_000003_complaints::Migration),
            Box::new(m20261122_000004_notifications::Migration),
            Box::new(m20261122_000005_consumed_events::Migration),
            Box::new(m20261122_000006_consent_ai_memory::Migration),
            Box::new(m20261123_000007_memory_recall::Migration),
            Box::new(m20261129_000008_ai_budget_overrun::Migration),
            Box::new(m20261129_000009_audit_checkpoints::Migration),
            Box::new(m20261130_000010_scheduling::Migration),
            Box::new(m20261201_000011_scheduling_series_waitlist::Migration),
            Box::new(m20261201_000012_dead_events::Migration),
            Box::new(m20261201_000013_billing_catalogue::Migration),
            Box::new(m20261202_000014_billing_usage::Migration),
            Box::new(m20261202_000015_billing_subscriptions::Migration),
            Box::new(m20261203_000016_billing_invoices::Migration),
            Box::new(m20261203_000017_billing_entitlements::Migration),
            Box::new(m20261203_000018_billing_credits::Migration),
            Box::new(m20261203_000019_billing_payments::Migration),
            Box::new(m20261204_000020_entitlement_quotas::Migration),
            Box::new(m20261204_000021_billing_cards::Migration),
            Box::new(m20261206_000022_documents::Migration),
            Box::new(m20261207_000023_row_level_security::Migration),
            Box::new(m20261207_000024_sync::Migration),
            Box::new(m20261207_000025_relay_and_pull_indexes::Migration),
        ]
    }
}
