//! Money received against an invoice, or given back (a refund of a
//! payment).

use sea_orm::entity::prelude::*;

/// A row of `billing_payments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_payments")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The customer tenant.
    pub tenant_id: Uuid,
    /// The invoice.
    pub invoice_id: Uuid,
    /// Received or given back.
    pub kind: PaymentKind,
    /// Minor units, positive.
    pub amount: i64,
    /// How it moved.
    pub method: PaymentMethod,
    /// The bank's or processor's reference.
    pub reference: String,
    /// For a refund: the payment it gives back.
    pub refund_of: Option<Uuid>,
    /// Recorded.
    pub created_at: DateTimeUtc,
}

/// Received or given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum PaymentKind {
    /// Money received.
    #[sea_orm(string_value = "payment")]
    Payment,
    /// Money given back.
    #[sea_orm(string_value = "refund")]
    Refund,
}

/// How money moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum PaymentMethod {
    /// A bank transfer.
    #[sea_orm(string_value = "bank_transfer")]
    BankTransfer,
    /// Recorded by hand (cash, cheque, settled elsewhere).
    #[sea_orm(string_value = "manual")]
    Manual,
    /// Charged to the customer's saved card through the card processor
    /// (the reference is the processor's).
    #[sea_orm(string_value = "card")]
    Card,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
