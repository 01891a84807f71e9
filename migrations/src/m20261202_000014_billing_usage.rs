//! Billing's metered usage: one row per counted event and metric, kept by
//! the time the usage happened so a late event lands in its own period.
//! The primary key (tenant, metric, event) is what makes ingestion
//! exactly-once per event, and the only key a row needs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BillingUsage::Table)
                .col(uuid(BillingUsage::TenantId))
                .col(uuid(BillingUsage::MetricId))
                .col(uuid(BillingUsage::EventId))
                .col(timestamp_with_time_zone(BillingUsage::OccurredAt))
                .col(string(BillingUsage::Quantity))
                .col(string_null(BillingUsage::DistinctKey))
                .col(string(BillingUsage::Source))
                .col(timestamp_with_time_zone(BillingUsage::RecordedAt))
                .primary_key(
                    Index::create()
                        .col(BillingUsage::TenantId)
                        .col(BillingUsage::MetricId)
                        .col(BillingUsage::EventId),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_billing_usage_period",
            BillingUsage::Table,
            &[BillingUsage::TenantId, BillingUsage::MetricId, BillingUsage::OccurredAt],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BillingUsage::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingUsage {
    Table,
    TenantId,
    MetricId,
    EventId,
    OccurredAt,
    Quantity,
    DistinctKey,
    Source,
    RecordedAt,
}
