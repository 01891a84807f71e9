//! Billing's catalogue: billable metrics and versioned plans with their
//! charges. Platform-wide (the operator's catalogue), so no tenant column.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BillableMetrics::Table)
                .col(pk_uuid(BillableMetrics::Id))
                .col(string(BillableMetrics::Code))
                .col(string(BillableMetrics::Name))
                .col(string(BillableMetrics::Aggregation))
                .col(string(BillableMetrics::EventType))
                .col(string_null(BillableMetrics::Field))
                .col(text(BillableMetrics::Filters))
                .col(timestamp_with_time_zone(BillableMetrics::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_billable_metrics_code", BillableMetrics::Table, &[BillableMetrics::Code]).await?;
        m.create_table(
            Table::create()
                .table(BillingPlans::Table)
                .col(pk_uuid(BillingPlans::Id))
                .col(string(BillingPlans::Code))
                .col(integer(BillingPlans::Version))
                .col(string(BillingPlans::Name))
                .col(string(BillingPlans::Interval))
                .col(string(BillingPlans::Currency))
                .col(string(BillingPlans::Fee))
                .col(integer(BillingPlans::TrialDays))
                .col(timestamp_with_time_zone(BillingPlans::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_billing_plans_code_version",
            BillingPlans::Table,
            &[BillingPlans::Code, BillingPlans::Version],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingPlanCharges::Table)
                .col(pk_uuid(BillingPlanCharges::Id))
                .col(uuid(BillingPlanCharges::PlanId))
                .col(uuid(BillingPlanCharges::MetricId))
                .col(integer(BillingPlanCharges::Position))
                .col(text(BillingPlanCharges::Model))
                .to_owned(),
        )
        .await?;
        index(m, "ix_billing_plan_charges_plan_id", BillingPlanCharges::Table, &[BillingPlanCharges::PlanId])
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BillingPlanCharges::Table.into_iden(),
            BillingPlans::Table.into_iden(),
            BillableMetrics::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillableMetrics {
    Table,
    Id,
    Code,
    Name,
    Aggregation,
    EventType,
    Field,
    Filters,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingPlans {
    Table,
    Id,
    Code,
    Version,
    Name,
    Interval,
    Currency,
    Fee,
    TrialDays,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingPlanCharges {
    Table,
    Id,
    PlanId,
    MetricId,
    Position,
    Model,
}
