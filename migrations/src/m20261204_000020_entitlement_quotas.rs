//! Entitlement quotas: each spending subgraph's copy of what the tenant's
//! plan grants for the keys it spends, with this month's use of a
//! per-month limit and when a soft limit was last noticed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(EntitlementQuotas::Table)
                .col(uuid(EntitlementQuotas::TenantId))
                .col(string(EntitlementQuotas::Key))
                .col(big_integer_null(EntitlementQuotas::LimitValue))
                .col(boolean(EntitlementQuotas::Hard))
                .col(big_integer(EntitlementQuotas::Used).default(0))
                .col(timestamp_with_time_zone(EntitlementQuotas::PeriodStart))
                .col(timestamp_with_time_zone_null(EntitlementQuotas::NoticedAt))
                .col(timestamp_with_time_zone(EntitlementQuotas::UpdatedAt))
                .primary_key(Index::create().col(EntitlementQuotas::TenantId).col(EntitlementQuotas::Key))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EntitlementQuotas::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum EntitlementQuotas {
    Table,
    TenantId,
    Key,
    LimitValue,
    Hard,
    Used,
    PeriodStart,
    NoticedAt,
    UpdatedAt,
}
