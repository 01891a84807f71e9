//! A credit note against a finalized invoice: all or part of it, with the
//! reason, numbered in its own gapless sequence per tenant.

use sea_orm::entity::prelude::*;

/// A row of `billing_credit_notes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_credit_notes")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// The invoice credited.
    pub invoice_id: Uuid,
    /// The invoice prefix, `CN-` and the sequence.
    pub number: String,
    /// 1, 2, … per tenant without gaps.
    pub sequence: i64,
    /// Minor units credited, tax included.
    pub amount: i64,
    /// The tax part of it.
    pub tax: i64,
    /// Why.
    pub reason: String,
    /// Where the credit went.
    pub credited_to: CreditedTo,
    /// Issued.
    pub created_at: DateTimeUtc,
}

/// Where a credit note's amount went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum CreditedTo {
    /// Off what the unpaid invoice still asks.
    #[sea_orm(string_value = "invoice")]
    Invoice,
    /// Into the customer's wallet (the invoice was paid).
    #[sea_orm(string_value = "wallet")]
    Wallet,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
