//! A document's timeline: every version, invitation, view, signature and
//! decline with its time, address and user agent; the completion
//! certificate prints it.

use sea_orm::entity::prelude::*;

/// A row of `document_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "document_events")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The document.
    pub document_id: Uuid,
    /// What happened.
    pub kind: EventKind,
    /// Who did it (none for the platform).
    pub actor_id: Option<Uuid>,
    /// The version it concerned.
    pub version_number: Option<i32>,
    /// That version's SHA-256.
    pub sha256: Option<String>,
    /// The actor's address.
    pub ip: Option<String>,
    /// The actor's user agent.
    pub user_agent: Option<String>,
    /// A reason or a note.
    pub detail: Option<String>,
    /// When.
    pub at: DateTimeUtc,
}

/// What happened to a document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Created with its first version.
    #[sea_orm(string_value = "created")]
    Created,
    /// A new version was written.
    #[sea_orm(string_value = "versioned")]
    Versioned,
    /// Sent for signature.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// A signer was asked.
    #[sea_orm(string_value = "invited")]
    Invited,
    /// A signer was reminded.
    #[sea_orm(string_value = "reminded")]
    Reminded,
    /// Someone signed or approved.
    #[sea_orm(string_value = "signed")]
    Signed,
    /// Someone declined.
    #[sea_orm(string_value = "declined")]
    Declined,
    /// Pending signatures were voided by a new version.
    #[sea_orm(string_value = "signatures_voided")]
    SignaturesVoided,
    /// Everyone signed; sealed.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// The deadline passed.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// Withdrawn.
    #[sea_orm(string_value = "voided")]
    Voided,
    /// A download link was made.
    #[sea_orm(string_value = "link_made")]
    LinkMade,
    /// Downloaded through a link.
    #[sea_orm(string_value = "downloaded")]
    Downloaded,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
