//! API types. Rows convert into these explicitly; nothing here is a table.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};

use backbone_entities::memory::entry as memory;

use crate::domain::recall::{Hit, Recalled};

/// A remembered fact.
#[derive(SimpleObject)]
pub struct Memory {
    /// The memory's id; `forget` takes it.
    pub id: ID,
    /// What kind of memory, e.g. `fact`, `preference` or `goal`; recall can filter on it.
    #[graphql(name = "type")]
    pub kind: String,
    /// What was remembered (at most 4,000 bytes).
    pub text: String,
    /// Consent scope needed to recall it.
    pub required_scope: String,
    /// 0..1.
    pub importance: f64,
    /// When it stops being recalled and is purged; null to keep it.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was remembered.
    pub created_at: DateTime<Utc>,
}

impl From<memory::Model> for Memory {
    fn from(m: memory::Model) -> Self {
        Self {
            id: m.id.into(),
            kind: m.kind,
            text: m.text,
            required_scope: m.required_scope,
            importance: m.importance,
            expires_at: m.expires_at,
            created_at: m.created_at,
        }
    }
}

/// What a recall found, and what it could not look at.
#[derive(SimpleObject)]
pub struct Recall {
    /// The best matches, most similar first.
    pub hits: Vec<RecallHit>,
    /// Scopes the caller holds memories in but does not consent to now:
    /// nothing from them was searched. Empty when consent covers every one.
    pub excluded_scopes: Vec<String>,
}

impl From<Recalled> for Recall {
    fn from(r: Recalled) -> Self {
        Self { hits: r.hits.into_iter().map(RecallHit::from).collect(), excluded_scopes: r.excluded_scopes }
    }
}

impl From<Hit> for RecallHit {
    fn from(h: Hit) -> Self {
        let memory = Memory {
            id: h.id.into(),
            kind: h.kind,
            text: h.text,
            required_scope: h.required_scope,
            importance: h.importance,
            expires_at: h.expires_at,
            created_at: h.created_at,
        };
        Self { memory, score: f64::from(h.score) }
    }
}

/// A recalled memory and how close it is to the query.
#[derive(SimpleObject)]
pub struct RecallHit {
    /// The memory recalled.
    pub memory: Memory,
    /// Cosine similarity, -1..1.
    pub score: f64,
}

/// Which embedder this deployment uses.
#[derive(SimpleObject)]
pub struct EmbedderInfo {
    /// Name stored with vectors, e.g. `local-hash-v1-256`.
    pub name: String,
    /// Whether it is the built-in local embedder (no provider configured).
    pub local: bool,
}
