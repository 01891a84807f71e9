//! AI budgets remember tokens a provider reported beyond a call's
//! reservation; while any are recorded, no new reservation is granted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AiBudgets::Table)
                .add_column(big_integer(AiBudgets::OverrunTokens).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(AiBudgets::Table).drop_column(AiBudgets::OverrunTokens).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AiBudgets {
    Table,
    OverrunTokens,
}
