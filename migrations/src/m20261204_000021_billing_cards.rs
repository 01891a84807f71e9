//! Card payments: the processor's customer and saved payment method on a
//! billing profile, and the declined card attempts of an invoice (each
//! attempt's idempotency key counts them).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [BillingCustomers::CardCustomer, BillingCustomers::CardPaymentMethod] {
            m.alter_table(
                Table::alter().table(BillingCustomers::Table).add_column(string_null(column)).to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(BillingInvoices::Table)
                .add_column(integer(BillingInvoices::CardAttempts).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(BillingInvoices::Table)
                .drop_column(BillingInvoices::CardAttempts)
                .to_owned(),
        )
        .await?;
        for column in [BillingCustomers::CardCustomer, BillingCustomers::CardPaymentMethod] {
            m.alter_table(Table::alter().table(BillingCustomers::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingCustomers {
    Table,
    CardCustomer,
    CardPaymentMethod,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingInvoices {
    Table,
    CardAttempts,
}
