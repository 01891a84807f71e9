//! A partner API key; only the SHA-256 of its secret is stored.

use sea_orm::entity::prelude::*;

/// A row of `api_keys`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    /// Key id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning tenant.
    pub tenant_id: Uuid,
    /// Display name.
    pub name: String,
    /// Public lookup prefix, part of the presented key.
    pub prefix: String,
    /// Hex SHA-256 of the secret part.
    pub secret_hash: String,
    /// Role names the key acts with, space-separated.
    pub roles: String,
    /// Scopes, space-separated.
    pub scopes: String,
    /// After this time the key is refused.
    pub expires_at: Option<DateTimeUtc>,
    /// Set when revoked; a revoked key is refused.
    pub revoked_at: Option<DateTimeUtc>,
    /// Last successful use.
    pub last_used_at: Option<DateTimeUtc>,
    /// Who created it.
    pub created_by: Option<Uuid>,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// Relations are expressed as explicit queries in the domain layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
