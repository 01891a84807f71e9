//! A versioned prompt template with declared variables.

use sea_orm::entity::prelude::*;

/// A row of `ai_prompt_templates`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_prompt_templates")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Template name.
    pub name: String,
    /// Version, from 1.
    pub version: i32,
    /// System message.
    #[sea_orm(column_type = "Text", nullable)]
    pub system: Option<String>,
    /// User message with `{{variables}}`.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// JSON: declared variables.
    #[sea_orm(column_type = "Text")]
    pub variables: String,
    /// Completion cap.
    pub max_tokens: i32,
    /// Author.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
