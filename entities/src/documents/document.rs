//! A document: what it is, whom it is about, where it is in signing, and
//! which of its versions is current.

use sea_orm::entity::prelude::*;

/// A row of `documents`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Where it is in signing.
    pub status: DocumentStatus,
    /// The template version it was generated from.
    pub template_id: Option<Uuid>,
    /// The checked data it was generated from, as JSON.
    pub data: Option<String>,
    /// The person it is about.
    pub subject_user_id: Option<Uuid>,
    /// The appointment it belongs to.
    pub appointment_id: Option<Uuid>,
    /// The complaint it belongs to.
    pub complaint_id: Option<Uuid>,
    /// The invoice it renders.
    pub invoice_id: Option<Uuid>,
    /// The number of its current version.
    pub current_version: i32,
    /// Kept whatever erasure or retention asks.
    pub legal_hold: bool,
    /// Signing must be done by then.
    pub signing_deadline: Option<DateTimeUtc>,
    /// Who created it.
    pub created_by: Uuid,
    /// When.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// What a document is (retention is set per kind).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A consent form.
    #[sea_orm(string_value = "consent_form")]
    ConsentForm,
    /// A prescription.
    #[sea_orm(string_value = "prescription")]
    Prescription,
    /// A referral letter.
    #[sea_orm(string_value = "referral")]
    Referral,
    /// A report card.
    #[sea_orm(string_value = "report_card")]
    ReportCard,
    /// An invoice.
    #[sea_orm(string_value = "invoice")]
    Invoice,
    /// Anything else.
    #[sea_orm(string_value = "other")]
    Other,
}

/// Where a document is in signing.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Being prepared; nobody has been asked to sign.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Out for signature.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Everyone signed; the completed version is sealed.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// A signer declined.
    #[sea_orm(string_value = "declined")]
    Declined,
    /// The signing deadline passed.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// Withdrawn by its sender.
    #[sea_orm(string_value = "voided")]
    Voided,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
