//! Signed checkpoints of each tenant's chain head, kept apart from the
//! chain (`audit_checkpoints`) and written to the log as they are taken.
//!
//! A checkpoint is an HMAC-SHA256, with a key the database does not hold,
//! over (tenant, seq, hash) of the head at the time. Someone who can write
//! the database but lacks the key can neither delete events a checkpoint
//! covers (the chain would end before it) nor edit one and recompute every
//! later hash (the hash at the checkpoint would change), nor forge a
//! checkpoint. What happened after the newest checkpoint is covered by the
//! next one: the window is `audit.checkpoint_seconds`.

use std::{collections::HashMap, time::Duration};

use backbone_entities::platform::{audit_checkpoint, audit_event};
use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::OnConflict,
};
use secrecy::ExposeSecret;
use sha2::Sha256;
use uuid::Uuid;

use super::{Broken, ChainReport, verify_chain};
use crate::{config::Config, error::ApiResult};

/// Takes and checks signed checkpoints.
pub struct Anchor {
    /// `None` when no key is configured: no checkpoints are taken and
    /// verification checks the links only (a warning says so at start).
    key: Option<Vec<u8>>,
    every: Duration,
}

impl Anchor {
    /// The key is `audit.anchor_key`, or else derived from
    /// `auth.hs256_secret` (dev and single-secret installs).
    pub fn from_config(config: &Config) -> Self {
        let key = match (&config.audit.anchor_key, &config.auth.hs256_secret) {
            (Some(key), _) => Some(key.expose_secret().as_bytes().to_vec()),
            (None, Some(secret)) => Some(sign(secret.expose_secret().as_bytes(), b"backbone audit anchor")),
            (None, None) => None,
        };
        Self { key, every: Duration::from_secs(config.audit.checkpoint_seconds.max(1)) }
    }

    /// Signs every tenant's head that moved since its last checkpoint;
    /// returns how many checkpoints were written.
    pub async fn checkpoint(&self, db: &impl ConnectionTrait) -> ApiResult<u64> {
        let Some(key) = &self.key else { return Ok(0) };
        let done: HashMap<Uuid, i64> = audit_checkpoint::Entity::find()
            .select_only()
            .column(audit_checkpoint::Column::TenantId)
            .column_as(audit_checkpoint::Column::Seq.max(), "seq")
            .group_by(audit_checkpoint::Column::TenantId)
            .into_tuple::<(Uuid, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let heads: Vec<(Uuid, i64)> = audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::TenantId)
            .column_as(audit_event::Column::Seq.max(), "seq")
            .group_by(audit_event::Column::TenantId)
            .into_tuple()
            .all(db)
            .await?;
        let mut written = 0;
        for (tenant, seq) in heads.into_iter().filter(|(t, seq)| done.get(t).is_none_or(|d| d < seq)) {
            let Some(head) = audit_event::Entity::find()
                .filter(audit_event::Column::TenantId.eq(tenant))
                .filter(audit_event::Column::Seq.eq(seq))
                .one(db)
                .await?
            else {
                continue;
            };
            let mac = mac(key, tenant, seq, &head.hash);
            tracing::info!(%tenant, seq, hash = %head.hash, %mac, "audit checkpoint");
            audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant),
                seq: Set(seq),
                hash: Set(head.hash),
                mac: Set(mac),
                created_at: Set(Utc::now()),
            })
            .on_conflict(
                OnConflict::columns([audit_checkpoint::Column::TenantId, audit_checkpoint::Column::Seq])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
            written += 1;
        }
        Ok(written)
    }

    /// Checks the links ([`verify_chain`]), then every signed checkpoint of
    /// the tenant against the chain.
    pub async fn verify(&self, db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<ChainReport> {
        let report = verify_chain(db, tenant_id).await?;
        let Some(key) = &self.key else { return Ok(report) };
        if report.broken.is_some() {
            return Ok(report);
        }
        let hashes: HashMap<i64, String> = audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Seq)
            .column(audit_event::Column::Hash)
            .filter(audit_event::Column::TenantId.eq(tenant_id))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let checkpoints = audit_checkpoint::Entity::find()
            .filter(audit_checkpoint::Column::TenantId.eq(tenant_id))
            .order_by_asc(audit_checkpoint::Column::Seq)
            .all(db)
            .await?;
        let last = report.checked as i64;
        for cp in checkpoints {
            let reason = if mac(key, tenant_id, cp.seq, &cp.hash) != cp.mac {
                format!("checkpoint at seq {} has an invalid signature: checkpoints were altered", cp.seq)
            } else {
                match hashes.get(&cp.seq) {
                    None => format!(
                        "truncated: the chain ends at seq {last}, but a signed checkpoint covers seq {}",
                        cp.seq
                    ),
                    Some(hash) if *hash != cp.hash => {
                        format!("rewritten: event {} differs from its signed checkpoint", cp.seq)
                    }
                    Some(_) => continue,
                }
            };
            let event_id = audit_event::Entity::find()
                .filter(audit_event::Column::TenantId.eq(tenant_id))
                .filter(audit_event::Column::Seq.eq(cp.seq))
                .one(db)
                .await?
                .map(|e| e.id);
            return Ok(ChainReport {
                checked: report.checked,
                broken: Some(Broken { seq: cp.seq, event_id, reason }),
            });
        }
        Ok(report)
    }

    /// Takes checkpoints every `audit.checkpoint_seconds` until the process
    /// ends.
    pub async fn run(self: std::sync::Arc<Self>, db: sea_orm::DatabaseConnection) {
        if self.key.is_none() {
            tracing::warn!(
                "no audit.anchor_key (or auth.hs256_secret): audit checkpoints are off, so truncation \
                 and recomputed chains cannot be detected"
            );
            return;
        }
        loop {
            tokio::time::sleep(self.every).await;
            if let Err(e) = self.checkpoint(&db).await {
                tracing::warn!(error = %e, "audit checkpoint failed; retrying");
            }
        }
    }
}

fn sign(key: &[u8], message: &[u8]) -> Vec<u8> {
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(message);
            m.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length: not reached, and an empty MAC
        // matches no checkpoint.
        Err(_) => Vec::new(),
    }
}

fn mac(key: &[u8], tenant: Uuid, seq: i64, hash: &str) -> String {
    hex::encode(sign(key, format!("{tenant}|{seq}|{hash}").as_bytes()))
}
