//! Partner API keys: the format, hashing and authentication.
//!
//! A key reads `bbk_<prefix>_<secret>`: the prefix (12 hex chars) finds the
//! row, the secret (64 hex chars, 256 random bits) is checked against its
//! stored SHA-256 in constant time. A fast hash is right here because the
//! secret is random and long, unlike a password; nothing guessable is stored.

use backbone_entities::tenancy::{api_key, tenant};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::context::{Principal, RequestContext};

/// Why a presented key was refused. All map to one client message, so a
/// caller cannot probe which keys exist.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    /// Unknown, malformed, revoked, expired, or its tenant is inactive.
    #[error("invalid API key")]
    Invalid,
    /// The database failed.
    #[error("invalid API key")]
    Database(#[from] sea_orm::DbErr),
}

/// A freshly generated key: the full text is shown once, only the prefix and
/// hash are stored.
pub struct GeneratedKey {
    /// The whole key, as the client presents it.
    pub full: String,
    /// Lookup prefix.
    pub prefix: String,
    /// Hex SHA-256 of the secret part.
    pub secret_hash: String,
}

/// Generates a new random key.
pub fn generate() -> GeneratedKey {
    let mut rng = rand::rng();
    let mut prefix = [0u8; 6];
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut prefix);
    rng.fill_bytes(&mut secret);
    let prefix = hex::encode(prefix);
    let secret = hex::encode(secret);
    GeneratedKey { full: format!("bbk_{prefix}_{secret}"), secret_hash: hash(&secret), prefix }
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn split(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("bbk_")?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 12 && secret.len() == 64).then_some((prefix, secret))
}

/// Checks a presented key and records its use.
pub async fn authenticate(
    db: &DatabaseConnection,
    presented: &str,
    request_id: &str,
) -> Result<RequestContext, ApiKeyError> {
    let (prefix, secret) = split(presented.trim()).ok_or(ApiKeyError::Invalid)?;
    let row = api_key::Entity::find()
        .filter(api_key::Column::Prefix.eq(prefix))
        .one(db)
        .await?
        .ok_or(ApiKeyError::Invalid)?;
    let matches: bool = hash(secret).as_bytes().ct_eq(row.secret_hash.as_bytes()).into();
    let now = Utc::now();
    if !matches || row.revoked_at.is_some() || row.expires_at.is_some_and(|e| e <= now) {
        return Err(ApiKeyError::Invalid);
    }
    let tenant_active = tenant::Entity::find_by_id(row.tenant_id).one(db).await?.is_some_and(|t| t.active);
    if !tenant_active {
        return Err(ApiKeyError::Invalid);
    }
    let ctx = RequestContext {
        tenant_id: row.tenant_id,
        user_id: row.id,
        roles: row.roles.split_whitespace().map(str::to_owned).collect(),
        scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
        principal: Principal::ApiKey,
        request_id: request_id.to_owned(),
        expires_at: row.expires_at.map(|e| e.timestamp()),
    };
    let mut active: api_key::ActiveModel = row.into();
    active.last_used_at = Set(Some(now));
    active.update(db).await?;
    Ok(ctx)
}

/// Whether key `id` of `tenant` is still usable (not revoked, not
/// expired, tenant active): the check behind exchanged key tokens.
pub async fn still_valid(
    db: &DatabaseConnection,
    id: uuid::Uuid,
    tenant: uuid::Uuid,
) -> Result<bool, ApiKeyError> {
    let Some(row) =
        api_key::Entity::find_by_id(id).filter(api_key::Column::TenantId.eq(tenant)).one(db).await?
    else {
        return Ok(false);
    };
    let usable = row.revoked_at.is_none() && row.expires_at.is_none_or(|e| e > Utc::now());
    let tenant_active = tenant::Entity::find_by_id(tenant).one(db).await?.is_some_and(|t| t.active);
    Ok(usable && tenant_active)
}

/// Exchanges a presented key for a short-lived token carrying its claims
/// (`kind: api_key`), signed with the platform's HS256 secret.
pub async fn exchange(
    db: &DatabaseConnection,
    config: &crate::config::AuthConfig,
    presented: &str,
    ttl_seconds: i64,
) -> Result<String, ApiKeyError> {
    use secrecy::ExposeSecret;
    let ctx = authenticate(db, presented, "exchange").await?;
    let secret = config.hs256_secret.as_ref().ok_or(ApiKeyError::Invalid)?;
    let roles: Vec<&str> = ctx.roles.iter().map(String::as_str).collect();
    let mut claims = super::claims_for(config, ctx.tenant_id, ctx.user_id, &roles, ttl_seconds);
    claims.scope = ctx.scopes.join(" ");
    claims.kind = Some(backbone_schema::claims::KIND_API_KEY.to_owned());
    super::mint_hs256(secret.expose_secret(), &claims).map_err(|_| ApiKeyError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_split_and_hash_back() {
        let key = generate();
        let (prefix, secret) = split(&key.full).expect("well-formed");
        assert_eq!(prefix, key.prefix);
        assert_eq!(hash(secret), key.secret_hash);
        assert_ne!(generate().full, key.full);
    }

    #[test]
    fn malformed_keys_do_not_split() {
        for bad in ["", "bbk_", "bbk_abc_def", "xyz_0123456789ab_00", "bbk_0123456789ab"] {
            assert!(split(bad).is_none(), "{bad}");
        }
    }
}
