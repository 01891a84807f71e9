//! `Idempotency-Key` on REST mutations: the first request with a key runs
//! and its answer is kept (`router.rest.idempotency_ttl_seconds`); a repeat
//! with the same body gets that answer again, a different body with the
//! same key is `409 CONFLICT` (`IDEMPOTENCY_KEY_REUSED`), and a repeat
//! while the first still runs is `409` (`IDEMPOTENCY_KEY_IN_USE`). Keys
//! belong to the credential that sent them, so one caller cannot replay
//! another's answers. Answers that invite a retry (429, 5xx) are not kept.
//!
//! Kept in Redis when the router has one (every replica sees every key),
//! else in this process; a Redis that fails mid-way falls back to this
//! process's store, logged.

use std::time::{Duration, Instant};

use backbone_schema::ErrorCode;
use bytes::Bytes;
use parking_lot::Mutex;
use redis::{AsyncCommands, aio::ConnectionManager};
use serde::{Deserialize, Serialize};

use super::answer::Reply;

/// How long a claimed key waits for its first answer before a retry may
/// run it again (the first request's client went away).
const PENDING: Duration = Duration::from_secs(60);
const LOCAL_KEYS: usize = 100_000;

/// What to do with a request carrying a key.
pub enum Claim {
    /// Run it; then [`Idempotency::finish`].
    Run,
    /// Answer this instead.
    Answer(Reply),
}

#[derive(Clone, Serialize, Deserialize)]
enum Stored {
    Pending { fingerprint: u64 },
    Done { fingerprint: u64, status: u16, body: String },
}

/// The store of keys and first answers.
pub struct Idempotency {
    ttl: Duration,
    local: Mutex<lru::LruCache<u128, (Stored, Instant)>>,
    redis: Option<(ConnectionManager, String)>,
}

impl Idempotency {
    /// A store keeping answers `ttl`, in Redis at `redis` (with key
    /// `prefix`) when given.
    pub fn new(ttl: Duration, redis: Option<(ConnectionManager, String)>) -> Self {
        let cap = std::num::NonZeroUsize::new(LOCAL_KEYS).unwrap_or(std::num::NonZeroUsize::MIN);
        Self { ttl, local: Mutex::new(lru::LruCache::new(cap)), redis }
    }

    /// Claims `key` for a request whose route and variables hash to
    /// `fingerprint`.
    pub async fn claim(&self, key: u128, fingerprint: u64) -> Claim {
        let pending = Stored::Pending { fingerprint };
        let existing = match &self.redis {
            Some((conn, prefix)) => {
                match redis_claim(conn.clone(), &format!("{prefix}{key:032x}"), &pending).await {
                    Ok(existing) => existing,
                    Err(e) => {
                        tracing::warn!(error = %e, "Redis failed; idempotency keys are this router's own for now");
                        self.local_claim(key, pending)
                    }
                }
            }
            None => self.local_claim(key, pending),
        };
        match existing {
            None => Claim::Run,
            Some(Stored::Done { fingerprint: f, status, body }) if f == fingerprint => {
                Claim::Answer(Reply { status, body: Bytes::from(body), retry_after: None })
            }
            Some(Stored::Pending { fingerprint: f }) if f == fingerprint => Claim::Answer(Reply::coded(
                ErrorCode::Conflict,
                "IDEMPOTENCY_KEY_IN_USE",
                "a request with this Idempotency-Key is still running; retry shortly",
            )),
            Some(_) => Claim::Answer(Reply::coded(
                ErrorCode::Conflict,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used with a different request",
            )),
        }
    }

    /// Keeps `reply` as the answer to `key`, or lets the key go when the
    /// reply invites a retry.
    pub async fn finish(&self, key: u128, fingerprint: u64, reply: &Reply) {
        let keep = reply.status < 500 && reply.status != 429;
        let done = Stored::Done {
            fingerprint,
            status: reply.status,
            body: String::from_utf8_lossy(&reply.body).into_owned(),
        };
        if let Some((conn, prefix)) = &self.redis {
            let mut conn = conn.clone();
            let redis_key = format!("{prefix}{key:032x}");
            let result: redis::RedisResult<()> = if keep {
                match serde_json::to_string(&done) {
                    Ok(json) => conn.set_ex(&redis_key, json, self.ttl.as_secs().max(1)).await,
                    Err(_) => conn.del(&redis_key).await,
                }
            } else {
                conn.del(&redis_key).await
            };
            if result.is_ok() {
                return;
            }
        }
        let mut local = self.local.lock();
        if keep {
            local.put(key, (done, Instant::now() + self.ttl));
        } else {
            local.pop(&key);
        }
    }

    fn local_claim(&self, key: u128, pending: Stored) -> Option<Stored> {
        let mut local = self.local.lock();
        let now = Instant::now();
        match local.get(&key) {
            Some((stored, until)) if *until > now => Some(stored.clone()),
            _ => {
                local.put(key, (pending, now + PENDING));
                None
            }
        }
    }
}

/// `SET NX` of the pending marker; the value already there otherwise.
async fn redis_claim(
    mut conn: ConnectionManager,
    key: &str,
    pending: &Stored,
) -> redis::RedisResult<Option<Stored>> {
    let marker = serde_json::to_string(pending).unwrap_or_default();
    let options = redis::SetOptions::default()
        .conditional_set(redis::ExistenceCheck::NX)
        .with_expiration(redis::SetExpiry::EX(PENDING.as_secs()));
    let set: Option<String> = conn.set_options(key, marker, options).await?;
    if set.is_some() {
        return Ok(None);
    }
    let existing: Option<String> = conn.get(key).await?;
    // Gone between the two calls (expired): treat as pending, the client retries.
    Ok(Some(existing.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(pending.clone())))
}
