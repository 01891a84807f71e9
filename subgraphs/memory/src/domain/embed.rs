//! Embedders. The provider's embedding model when one is configured
//! (`llm.base_url` and `llm.embedding_model`), else the built-in local
//! embedder: feature hashing of words, word pairs and character trigrams
//! into 256 dimensions, L2-normalised, so cosine similarity is a dot
//! product. It knows no synonyms, but needs no model and no network.

use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};
use subgraph_kit::{ApiError, ApiResult, config::LlmConfig, llm::Provider};

/// Dimensions of the local embedder.
pub const LOCAL_DIMS: usize = 256;

/// Name stored with vectors of the local embedder.
pub const LOCAL_NAME: &str = "local-hash-v1-256";

/// Words too common to carry meaning.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "is",
    "are", "was", "were", "be", "been", "it", "its", "this", "that", "as", "i", "my", "me", "we", "our",
    "you", "your", "he", "she", "his", "her", "they", "their", "them", "do", "does", "did", "has", "have",
    "had", "not", "no", "so", "if", "than", "then", "there", "what", "which", "who", "when", "where", "how",
    "about", "into", "up", "down", "out", "very", "can", "will", "would", "should", "could",
];

/// Which embedder a process uses.
#[derive(Clone)]
pub enum Embedder {
    /// The built-in feature-hashing embedder.
    Local,
    /// The provider's embedding model.
    Provider {
        /// Client.
        client: Provider,
        /// Model name.
        model: String,
    },
}

impl Embedder {
    /// The provider when `llm` configures an embedding model, else local.
    pub fn from_config(llm: &LlmConfig) -> Self {
        match (subgraph_kit::llm::provider(llm), &llm.embedding_model) {
            (Some(client), Some(model)) => Self::Provider { client, model: model.clone() },
            _ => Self::Local,
        }
    }

    /// The name stored with each vector; only vectors of the same name are
    /// compared.
    pub fn name(&self) -> String {
        match self {
            Self::Local => LOCAL_NAME.into(),
            Self::Provider { model, .. } => format!("provider:{model}"),
        }
    }

    /// Whether this is the built-in embedder.
    pub fn is_local(&self) -> bool {
        matches!(self, Self::Local)
    }

    /// Embeds `text` (unit length).
    pub async fn embed(&self, text: &str) -> ApiResult<Vec<f32>> {
        match self {
            Self::Local => Ok(local(text)),
            Self::Provider { client, model } => {
                let request = CreateEmbeddingRequest {
                    model: model.clone(),
                    input: EmbeddingInput::String(text.to_owned()),
                    ..Default::default()
                };
                let response = client.embeddings().create(request).await.map_err(|e| {
                    tracing::warn!(error = %e, "provider embedding failed");
                    ApiError::Coded {
                        code: backbone_schema::ErrorCode::SubgraphUnavailable,
                        message: "the embedding provider failed; nothing was stored".into(),
                    }
                })?;
                let v = response.data.into_iter().next().map(|d| d.embedding).unwrap_or_default();
                if v.is_empty() {
                    return Err(ApiError::Internal("provider returned no embedding".into()));
                }
                Ok(normalise(v))
            }
        }
    }
}

/// The local embedding of `text`.
pub fn local(text: &str) -> Vec<f32> {
    let lower = text.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(stem)
        .collect();
    let mut v = vec![0f32; LOCAL_DIMS];
    for w in &words {
        add(&mut v, b"w", w.as_bytes(), 1.0);
        let padded: Vec<char> = format!(" {w} ").chars().collect();
        for tri in padded.windows(3) {
            add(&mut v, b"c", tri.iter().collect::<String>().as_bytes(), 0.35);
        }
    }
    for pair in words.windows(2) {
        add(&mut v, b"p", format!("{} {}", pair[0], pair[1]).as_bytes(), 0.5);
    }
    normalise(v)
}

/// A crude suffix stripper, so `allergies`/`allergic`/`allergy` meet.
fn stem(w: &str) -> String {
    for suffix in ["ations", "ation", "ingly", "ings", "ing", "ies", "ied", "ic", "es", "ed", "ly", "s", "y"]
    {
        if w.len() > suffix.len() + 3
            && let Some(base) = w.strip_suffix(suffix)
        {
            return base.to_owned();
        }
    }
    w.to_owned()
}

/// Adds `weight` at the hashed index of `feature`, with a hashed sign so
/// collisions cancel out on average (the hashing trick).
fn add(v: &mut [f32], kind: &[u8], feature: &[u8], weight: f32) {
    let h = fnv1a(kind, feature);
    let i = (h % v.len() as u64) as usize;
    let sign = if (h >> 63) == 0 { 1.0 } else { -1.0 };
    v[i] += sign * weight;
}

fn fnv1a(kind: &[u8], bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.iter().chain([0u8].iter()).chain(bytes) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn normalise(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Dot product (cosine of unit vectors). Eight running sums instead of one,
/// so the compiler can keep them in SIMD lanes: a single sum is a chain of
/// dependent float adds that cannot be reordered.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    let mut acc = [0f32; 8];
    for (x, y) in ca.zip(cb) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Little-endian bytes of a vector.
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A vector from little-endian bytes.
pub fn from_bytes(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_texts_are_closer_than_unrelated_ones() {
        let a = local("I am allergic to penicillin");
        let b = local("penicillin allergy");
        let c = local("my favourite football team");
        assert!(dot(&a, &b) > dot(&a, &c) + 0.2, "{} vs {}", dot(&a, &b), dot(&a, &c));
        assert!((dot(&a, &a) - 1.0).abs() < 1e-4);
        assert_eq!(from_bytes(&to_bytes(&a)), a);
    }
}
