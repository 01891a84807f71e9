//! One grant, withdrawal or expiry: consent history is append-only.

use sea_orm::entity::prelude::*;

/// A row of `consent_records`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_records")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Whose consent.
    pub user_id: Uuid,
    /// Scope key.
    pub scope: String,
    /// What happened.
    pub action: ConsentAction,
    /// Version of the consent text shown.
    pub text_version: String,
    /// How it was given or withdrawn.
    pub channel: CaptureChannel,
    /// Client address, when known.
    pub source_ip: Option<String>,
    /// When a grant lapses.
    pub expires_at: Option<DateTimeUtc>,
    /// Signed receipt (JSON), for grants.
    #[sea_orm(column_type = "Text", nullable)]
    pub receipt: Option<String>,
    /// Who recorded it (the user, or staff on their behalf).
    pub recorded_by: Option<Uuid>,
    /// When.
    pub at: DateTimeUtc,
}

/// What a consent record says happened, stored as text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// Consent given.
    #[sea_orm(string_value = "granted")]
    Granted,
    /// Consent taken back.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    /// A grant lapsed.
    #[sea_orm(string_value = "expired")]
    Expired,
}

/// How consent was given or withdrawn, stored as text and signed into
/// receipts by its stored form.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum CaptureChannel {
    /// A web page.
    #[sea_orm(string_value = "web")]
    Web,
    /// A mobile app.
    #[sea_orm(string_value = "app")]
    App,
    /// A signed paper form, entered by staff.
    #[sea_orm(string_value = "paper")]
    Paper,
    /// A phone call, entered by staff.
    #[sea_orm(string_value = "phone")]
    Phone,
    /// An email.
    #[sea_orm(string_value = "email")]
    Email,
    /// An integration, through the API.
    #[sea_orm(string_value = "api")]
    Api,
    /// The platform itself (an expiry).
    #[sea_orm(string_value = "system")]
    System,
}

impl CaptureChannel {
    /// The stored form, as receipts sign it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::App => "app",
            Self::Paper => "paper",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Api => "api",
            Self::System => "system",
        }
    }
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
