//! Billing's credits: coupons and their redemptions (discounts before
//! tax), each customer's wallet (prepaid credit, a ledger), credit notes
//! against finalized invoices, and the invoice columns they fill.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_tenancy::{index, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [BillingInvoices::Discount, BillingInvoices::CreditsApplied, BillingInvoices::Credited]
        {
            m.alter_table(
                Table::alter()
                    .table(BillingInvoices::Table)
                    .add_column(big_integer(column).default(0))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(BillingCustomers::Table)
                .add_column(big_integer(BillingCustomers::NextCreditNumber).default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingCoupons::Table)
                .col(pk_uuid(BillingCoupons::Id))
                .col(string(BillingCoupons::Code))
                .col(string(BillingCoupons::Name))
                .col(string_null(BillingCoupons::PercentOff))
                .col(big_integer_null(BillingCoupons::AmountOff))
                .col(string_null(BillingCoupons::Currency))
                .col(integer_null(BillingCoupons::Periods))
                .col(timestamp_with_time_zone(BillingCoupons::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(m, "ux_billing_coupons_code", BillingCoupons::Table, &[BillingCoupons::Code]).await?;
        m.create_table(
            Table::create()
                .table(BillingCouponRedemptions::Table)
                .col(pk_uuid(BillingCouponRedemptions::Id))
                .col(uuid(BillingCouponRedemptions::TenantId))
                .col(uuid(BillingCouponRedemptions::CouponId))
                .col(integer_null(BillingCouponRedemptions::PeriodsLeft))
                .col(timestamp_with_time_zone(BillingCouponRedemptions::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_billing_coupon_redemptions",
            BillingCouponRedemptions::Table,
            &[BillingCouponRedemptions::TenantId, BillingCouponRedemptions::CouponId],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingWalletEntries::Table)
                .col(pk_uuid(BillingWalletEntries::Id))
                .col(uuid(BillingWalletEntries::TenantId))
                .col(string(BillingWalletEntries::Currency))
                .col(big_integer(BillingWalletEntries::Amount))
                .col(string(BillingWalletEntries::Kind))
                .col(uuid_null(BillingWalletEntries::InvoiceId))
                .col(string(BillingWalletEntries::Description))
                .col(timestamp_with_time_zone(BillingWalletEntries::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_billing_wallet_entries_tenant",
            BillingWalletEntries::Table,
            &[BillingWalletEntries::TenantId, BillingWalletEntries::Currency],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BillingCreditNotes::Table)
                .col(pk_uuid(BillingCreditNotes::Id))
                .col(uuid(BillingCreditNotes::TenantId))
                .col(uuid(BillingCreditNotes::InvoiceId))
                .col(string(BillingCreditNotes::Number))
                .col(big_integer(BillingCreditNotes::Sequence))
                .col(big_integer(BillingCreditNotes::Amount))
                .col(big_integer(BillingCreditNotes::Tax))
                .col(string(BillingCreditNotes::Reason))
                .col(string(BillingCreditNotes::CreditedTo))
                .col(timestamp_with_time_zone(BillingCreditNotes::CreatedAt))
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            "ux_billing_credit_notes_sequence",
            BillingCreditNotes::Table,
            &[BillingCreditNotes::TenantId, BillingCreditNotes::Sequence],
        )
        .await?;
        index(
            m,
            "ix_billing_credit_notes_invoice",
            BillingCreditNotes::Table,
            &[BillingCreditNotes::InvoiceId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BillingCreditNotes::Table.into_iden(),
            BillingWalletEntries::Table.into_iden(),
            BillingCouponRedemptions::Table.into_iden(),
            BillingCoupons::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(BillingCustomers::Table)
                .drop_column(BillingCustomers::NextCreditNumber)
                .to_owned(),
        )
        .await?;
        for column in [BillingInvoices::Discount, BillingInvoices::CreditsApplied, BillingInvoices::Credited]
        {
            m.alter_table(Table::alter().table(BillingInvoices::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingInvoices {
    Table,
    Discount,
    CreditsApplied,
    Credited,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingCustomers {
    Table,
    NextCreditNumber,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingCoupons {
    Table,
    Id,
    Code,
    Name,
    PercentOff,
    AmountOff,
    Currency,
    Periods,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingCouponRedemptions {
    Table,
    Id,
    TenantId,
    CouponId,
    PeriodsLeft,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingWalletEntries {
    Table,
    Id,
    TenantId,
    Currency,
    Amount,
    Kind,
    InvoiceId,
    Description,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BillingCreditNotes {
    Table,
    Id,
    TenantId,
    InvoiceId,
    Number,
    Sequence,
    Amount,
    Tax,
    Reason,
    CreditedTo,
    CreatedAt,
}
