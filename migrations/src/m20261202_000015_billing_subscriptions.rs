//! Billing's subscriptions: a customer tenant on a plan, with its current
//! period, and the phases of plan versions it went through (a plan change
//! closes one phase and opens the next, now or at the period's end).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BillingSubscriptions::Table)
                .col(pk_uuid(BillingSubscriptions::Id))
                .col(uuid(BillingSubscriptions::TenantId))
                .col(uuid_null(BillingSubscriptions::LiveTenantId))
                .col(string(BillingSubscriptions::PlanCode))
                .col(string(BillingSubscriptions::Status))
                .col(timestamp_with_time_zone(BillingSubscriptions::StartedAt))
                .col(timestamp_with_time_zone_null(BillingSubscriptions::TrialEndsAt))
                .col(timestamp_with_time_zone(BillingSubscriptions::AnchorAt))
                .col(timestamp_with_time_zone(BillingSubscriptions::PeriodStart))
                .col(timestamp_with_time_zone(BillingSubscriptions::PeriodEnd))
                .col(boolean(BillingSubscriptions::CancelAtPeriodEnd))
                .col(timestamp_with_time_zone_null(BillingSubscriptions::EndedAt))
                .col(timestamp_with_time_zone(BillingSubscriptions::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // At most one live subscription per tenant: the column is the
        // tenant while it lives and null after (nulls never collide).
        unique_index(
            m,
            "ux_billing_subscriptions_live",
            BillingSubscriptions::Table,
            &[BillingSubscriptions::LiveTenantId],
        )
        .await?;
        index(
            m,
            "ix_billing_subscriptions_tenant",
            BillingSubscriptions::Table,
            &[BillingSubscriptions::TenantId],
        )
        .await?;
        index(
            m,
            "ix_billing_subscriptions_period_end",
            BillingSubscriptions::Table,
            &[BillingSubscriptions::PeriodEnd],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingSubscriptionPhases::Table)
                .col(pk_uuid(BillingSubscriptionPhases::Id))
                .col(uuid(BillingSubscriptionPhases::TenantId))
                .col(uuid(BillingSubscriptionPhases::SubscriptionId))
                .col(uuid(BillingSubscriptionPhases::PlanId))
                .col(timestamp_with_time_zone(BillingSubscriptionPhases::StartsAt))
                .col(timestamp_with_time_zone_null(BillingSubscriptionPhases::EndsAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_billing_subscription_phases_subscription",
            BillingSubscriptionPhases::Table,
            &[BillingSubscriptionPhases::SubscriptionId, BillingSubscriptionPhases::StartsAt],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [BillingSubscriptionPhases::Table.into_iden(), BillingSubscriptions::Table.into_iden()] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingSubscriptions {
    Table,
    Id,
    TenantId,
    LiveTenantId,
    PlanCode,
    Status,
    StartedAt,
    TrialEndsAt,
    AnchorAt,
    PeriodStart,
    PeriodEnd,
    CancelAtPeriodEnd,
    EndedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingSubscriptionPhases {
    Table,
    Id,
    TenantId,
    SubscriptionId,
    PlanId,
    StartsAt,
    EndsAt,
}
