//! A remembered fact with its embedding.

use sea_orm::entity::prelude::*;

/// A row of `memories`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "memories")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Whose memory.
    pub user_id: Uuid,
    /// Type, e.g. `fact`, `preference`.
    pub kind: String,
    /// The memory.
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// Consent scope needed to recall it.
    pub required_scope: String,
    /// 0..1.
    pub importance: f64,
    /// Forgotten after.
    pub expires_at: Option<DateTimeUtc>,
    /// Embedder name and dimensions.
    pub embedder: String,
    /// f32 little-endian vector.
    #[sea_orm(column_type = "Blob")]
    pub embedding: Vec<u8>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
