//! Billing's invoices: the customer's billing profile (country for taxes,
//! invoice prefix and its gapless counter), tax rates by country and
//! region, invoices with their totals in minor units, and their lines.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BillingCustomers::Table)
                .col(pk_uuid(BillingCustomers::TenantId))
                .col(string_null(BillingCustomers::Country))
                .col(string_null(BillingCustomers::Region))
                .col(string(BillingCustomers::InvoicePrefix))
                .col(big_integer(BillingCustomers::NextNumber))
                .col(timestamp_with_time_zone(BillingCustomers::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingTaxRates::Table)
                .col(pk_uuid(BillingTaxRates::Id))
                .col(string(BillingTaxRates::Country))
                .col(string(BillingTaxRates::Region))
                .col(string(BillingTaxRates::Name))
                .col(string(BillingTaxRates::Rate))
                .col(boolean(BillingTaxRates::Inclusive))
                .col(timestamp_with_time_zone(BillingTaxRates::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_billing_tax_rates_place",
            BillingTaxRates::Table,
            &[BillingTaxRates::Country, BillingTaxRates::Region],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingInvoices::Table)
                .col(pk_uuid(BillingInvoices::Id))
                .col(uuid(BillingInvoices::TenantId))
                .col(uuid(BillingInvoices::SubscriptionId))
                .col(string(BillingInvoices::Status))
                .col(string(BillingInvoices::Currency))
                .col(timestamp_with_time_zone(BillingInvoices::PeriodStart))
                .col(timestamp_with_time_zone(BillingInvoices::PeriodEnd))
                .col(timestamp_with_time_zone(BillingInvoices::FullPeriodEnd))
                .col(string_null(BillingInvoices::Number))
                .col(big_integer_null(BillingInvoices::Sequence))
                .col(big_integer(BillingInvoices::Subtotal))
                .col(big_integer(BillingInvoices::Tax))
                .col(big_integer(BillingInvoices::Total))
                .col(string_null(BillingInvoices::TaxName))
                .col(string_null(BillingInvoices::TaxRate))
                .col(boolean(BillingInvoices::TaxInclusive))
                .col(timestamp_with_time_zone(BillingInvoices::GraceEndsAt))
                .col(timestamp_with_time_zone_null(BillingInvoices::FinalizedAt))
                .col(timestamp_with_time_zone_null(BillingInvoices::PaidAt))
                .col(timestamp_with_time_zone_null(BillingInvoices::VoidedAt))
                .col(string_null(BillingInvoices::VoidReason))
                .col(text_null(BillingInvoices::Document))
                .col(string_null(BillingInvoices::DocumentSha256))
                .col(timestamp_with_time_zone(BillingInvoices::CreatedAt))
                .col(timestamp_with_time_zone(BillingInvoices::UpdatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_billing_invoices_period",
            BillingInvoices::Table,
            &[BillingInvoices::SubscriptionId, BillingInvoices::PeriodStart],
        )
        .await?;
        unique_index(
            m,
            "ux_billing_invoices_sequence",
            BillingInvoices::Table,
            &[BillingInvoices::TenantId, BillingInvoices::Sequence],
        )
        .await?;
        index(
            m,
            "ix_billing_invoices_grace",
            BillingInvoices::Table,
            &[BillingInvoices::Status, BillingInvoices::GraceEndsAt],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingInvoiceLines::Table)
                .col(pk_uuid(BillingInvoiceLines::Id))
                .col(uuid(BillingInvoiceLines::InvoiceId))
                .col(uuid(BillingInvoiceLines::TenantId))
                .col(integer(BillingInvoiceLines::Position))
                .col(string(BillingInvoiceLines::Kind))
                .col(string(BillingInvoiceLines::Description))
                .col(uuid_null(BillingInvoiceLines::MetricId))
                .col(uuid_null(BillingInvoiceLines::PlanId))
                .col(string(BillingInvoiceLines::Quantity))
                .col(big_integer(BillingInvoiceLines::Amount))
                .col(text(BillingInvoiceLines::Detail))
                .col(timestamp_with_time_zone(BillingInvoiceLines::FromAt))
                .col(timestamp_with_time_zone(BillingInvoiceLines::ToAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_billing_invoice_lines_invoice",
            BillingInvoiceLines::Table,
            &[BillingInvoiceLines::InvoiceId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BillingInvoiceLines::Table.into_iden(),
            BillingInvoices::Table.into_iden(),
            BillingTaxRates::Table.into_iden(),
            BillingCustomers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingCustomers {
    Table,
    TenantId,
    Country,
    Region,
    InvoicePrefix,
    NextNumber,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingTaxRates {
    Table,
    Id,
    Country,
    Region,
    Name,
    Rate,
    Inclusive,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingInvoices {
    Table,
    Id,
    TenantId,
    SubscriptionId,
    Status,
    Currency,
    PeriodStart,
    PeriodEnd,
    FullPeriodEnd,
    Number,
    Sequence,
    Subtotal,
    Tax,
    Total,
    TaxName,
    TaxRate,
    TaxInclusive,
    GraceEndsAt,
    FinalizedAt,
    PaidAt,
    VoidedAt,
    VoidReason,
    Document,
    DocumentSha256,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingInvoiceLines {
    Table,
    Id,
    InvoiceId,
    TenantId,
    Position,
    Kind,
    Description,
    MetricId,
    PlanId,
    Quantity,
    Amount,
    Detail,
    FromAt,
    ToAt,
}
