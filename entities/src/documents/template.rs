//! A template: one version of a named template's markup and typed fields.
//! A change writes the next version; a version never changes.

use sea_orm::entity::prelude::*;

use super::document::DocumentKind;

/// A row of `document_templates`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "document_templates")]
pub struct Model {
    /// Id (of this version).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// The name every version shares (`consent-general`).
    pub key: String,
    /// 1, 2, … per key.
    pub version: i32,
    /// What people call it.
    pub name: String,
    /// What documents made from it are.
    pub kind: DocumentKind,
    /// Typst markup.
    pub markup: String,
    /// The typed fields, as JSON.
    pub fields: String,
    /// Who wrote this version.
    pub created_by: Uuid,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are declared; queries join by id.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
