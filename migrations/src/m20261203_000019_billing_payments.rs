//! Billing's payments: money received (and refunded) against invoices,
//! when each finalized invoice falls due, and dunning's marks: an overdue
//! invoice noticed, a subscription suspended for it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BillingPayments::Table)
                .col(pk_uuid(BillingPayments::Id))
                .col(uuid(BillingPayments::TenantId))
                .col(uuid(BillingPayments::InvoiceId))
                .col(string(BillingPayments::Kind))
                .col(big_integer(BillingPayments::Amount))
                .col(string(BillingPayments::Method))
                .col(string(BillingPayments::Reference))
                .col(uuid_null(BillingPayments::RefundOf))
                .col(timestamp_with_time_zone(BillingPayments::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_billing_payments_invoice", BillingPayments::Table, &[BillingPayments::InvoiceId])
            .await?;
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table(BillingInvoices::Table)
                .add_column(big_integer(BillingInvoices::Paid).default(0))
                .to_owned(),
        )
        .await?;
        for column in [BillingInvoices::DueAt, BillingInvoices::OverdueAt] {
            m.alter_table(
                Table::alter()
                    .table(BillingInvoices::Table)
                    .add_column(timestamp_with_time_zone_null(column))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(BillingSubscriptions::Table)
                .add_column(timestamp_with_time_zone_null(BillingSubscriptions::SuspendedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(BillingSubscriptions::Table)
                .drop_column(BillingSubscriptions::SuspendedAt)
                .to_owned(),
        )
        .await?;
        for column in [BillingInvoices::Paid, BillingInvoices::DueAt, BillingInvoices::OverdueAt] {
            m.alter_table(Table::alter().table(BillingInvoices::Table).drop_column(column).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(BillingPayments::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingPayments {
    Table,
    Id,
    TenantId,
    InvoiceId,
    Kind,
    Amount,
    Method,
    Reference,
    RefundOf,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingInvoices {
    Table,
    Paid,
    DueAt,
    OverdueAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingSubscriptions {
    Table,
    SuspendedAt,
}
