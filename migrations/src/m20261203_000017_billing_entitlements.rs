//! What a plan grants: its entitlements (features and limits, hard or
//! soft) as JSON on each plan version; plans written before have none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(BillingPlans::Table)
                .add_column(text(BillingPlans::Entitlements).default("[]"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(BillingPlans::Table).drop_column(BillingPlans::Entitlements).to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingPlans {
    Table,
    Entitlements,
}
