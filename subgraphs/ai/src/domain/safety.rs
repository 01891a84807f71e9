//! Post-flight safety checks on an answer: local rules always, the
//! provider's moderation endpoint when `ai.moderation` is on.
//!
//! Local rules: personal data in the answer is masked (the model must not
//! hand back identifiers, whatever it was sent), and answers that give
//! dosing or self-harm instructions outside a clinician's review are
//! withheld. Moderation flags withhold the answer; when the moderation
//! endpoint fails, the answer is withheld too (fail closed).

use async_openai::types::moderations::{CreateModerationRequest, ModerationInput};

use subgraph_kit::llm::Provider;

use super::pii;

/// The verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The answer after local masking.
    pub text: String,
    /// What was flagged.
    pub flags: Vec<String>,
    /// Whether the answer must not be shown.
    pub withheld: bool,
}

/// Phrases whose presence withholds an answer.
const WITHHELD: &[&str] = &["how to kill yourself", "lethal dose of", "how to overdose"];

/// Checks `text`; `moderator` is the provider to ask for moderation when
/// `ai.moderation` is on.
pub async fn check(moderator: Option<&Provider>, text: &str) -> Verdict {
    let (masked, found) = pii::mask(text);
    let mut flags = Vec::new();
    if found.total() > 0 {
        flags.push(format!("pii_in_answer: {}", found.labels()));
    }
    let lower = masked.to_lowercase();
    let mut withheld = false;
    if WITHHELD.iter().any(|p| lower.contains(p)) {
        flags.push("local_rule: self_harm".into());
        withheld = true;
    }
    if let Some(client) = moderator {
        let request = CreateModerationRequest { input: ModerationInput::String(masked.clone()), model: None };
        match client.moderations().create(request).await {
            Ok(r) if r.results.iter().any(|x| x.flagged) => {
                flags.push("moderation".into());
                withheld = true;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "moderation failed; withholding the answer");
                flags.push("moderation_unavailable".into());
                withheld = true;
            }
        }
    }
    Verdict { text: masked, flags, withheld }
}
