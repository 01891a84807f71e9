//! One entry of a customer's wallet (prepaid credit): a top-up, a credit
//! note credited to it, or credit applied to an invoice (negative). The
//! balance is the sum of a tenant's entries in a currency.

use sea_orm::entity::prelude::*;

/// A row of `billing_wallet_entries`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_wallet_entries")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// ISO 4217 code.
    pub currency: String,
    /// Minor units, negative when credit is used.
    pub amount: i64,
    /// What moved it.
    pub kind: WalletEntryKind,
    /// The invoice it was applied to, or credited back from.
    pub invoice_id: Option<Uuid>,
    /// What the customer reads.
    pub description: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// What moved a wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum WalletEntryKind {
    /// A prepayment.
    #[sea_orm(string_value = "top_up")]
    TopUp,
    /// A credit note against a paid invoice.
    #[sea_orm(string_value = "credit_note")]
    CreditNote,
    /// Credit used on an invoice.
    #[sea_orm(string_value = "applied")]
    Applied,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
