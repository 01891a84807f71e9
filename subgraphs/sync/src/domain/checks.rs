//! What an event must pass to be accepted, once its device is known to be
//! enrolled: a registered (type, version), a payload that meets its
//! schema, the record and subject ids its keys point to, and a subject
//! the sender may record for. An event that fails is held in the
//! quarantine with the reason.

use std::collections::{HashMap, HashSet};

use backbone_entities::sync::{Stream, event_type, quarantine::QuarantineReason};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use subgraph_kit::ApiResult;
use uuid::Uuid;

use super::{Services, assignments, event_types};

/// Who sends: the device's user, and whether they may record for anyone
/// in the tenant (`sync_event:record` at tenant scope).
#[derive(Debug, Clone, Copy)]
pub struct Sender {
    /// Their tenant.
    pub tenant_id: Uuid,
    /// Them.
    pub user_id: Uuid,
    /// May record for anyone in the tenant.
    pub anyone: bool,
}

/// An event to judge.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// Its type.
    pub event_type: &'a str,
    /// Its schema version.
    pub schema_version: i32,
    /// Its payload.
    pub payload: &'a Value,
}

/// What an event passed as.
#[derive(Debug, Clone)]
pub struct Passed {
    /// How it is kept.
    pub stream: Stream,
    /// The record it writes.
    pub record_id: Option<String>,
    /// The person it is about.
    pub subject_id: Option<Uuid>,
}

/// Why an event is held, and what exactly failed.
#[derive(Debug, Clone)]
pub struct Held {
    /// Why.
    pub reason: QuarantineReason,
    /// What exactly.
    pub detail: String,
    /// The person it is about, when that could be read.
    pub subject_id: Option<Uuid>,
}

/// Judges `events` for `sender`, one verdict each, in order.
pub async fn judge(
    db: &impl ConnectionTrait,
    s: &Services,
    sender: Sender,
    events: &[Candidate<'_>],
) -> ApiResult<Vec<Result<Passed, Held>>> {
    let types: HashSet<String> = events.iter().map(|e| e.event_type.to_owned()).collect();
    let registered: HashMap<(String, i32), event_type::Model> =
        event_types::named(db, sender.tenant_id, types)
            .await?
            .into_iter()
            .map(|t| ((t.event_type.clone(), t.schema_version), t))
            .collect();
    let mut verdicts: Vec<Result<Passed, Held>> = events
        .iter()
        .map(|e| against_schema(s, registered.get(&(e.event_type.to_owned(), e.schema_version)), e))
        .collect();

    let subjects: HashSet<Uuid> = verdicts
        .iter()
        .filter_map(|v| v.as_ref().ok()?.subject_id)
        .filter(|id| *id != sender.user_id)
        .collect();
    let allowed = if sender.anyone {
        assignments::users_of(db, sender.tenant_id, &subjects).await?
    } else {
        assignments::assigned_of(db, sender.tenant_id, sender.user_id, &subjects).await?
    };
    for verdict in &mut verdicts {
        if let Ok(Passed { subject_id: Some(subject), .. }) = verdict {
            let subject = *subject;
            if subject != sender.user_id && !allowed.contains(&subject) {
                *verdict = Err(Held {
                    reason: QuarantineReason::SubjectNotAssigned,
                    detail: if sender.anyone {
                        format!("{subject} is not a user of this tenant")
                    } else {
                        format!("the sender is not assigned to {subject}")
                    },
                    subject_id: Some(subject),
                });
            }
        }
    }
    Ok(verdicts)
}

/// The most schema failures a detail lists.
const SHOWN_FAILURES: usize = 3;

fn against_schema(
    s: &Services,
    registered: Option<&event_type::Model>,
    e: &Candidate<'_>,
) -> Result<Passed, Held> {
    let held = |reason, detail: String| Held { reason, detail, subject_id: None };
    let Some(t) = registered else {
        return Err(held(
            QuarantineReason::UnknownType,
            format!("no schema is registered for {} version {}", e.event_type, e.schema_version),
        ));
    };
    let validator = s
        .validators
        .of(t)
        .map_err(|e| held(QuarantineReason::UnknownType, format!("schema unusable: {e}")))?;
    let failures: Vec<String> = validator
        .iter_errors(e.payload)
        .take(SHOWN_FAILURES)
        .map(|err| {
            let at = err.instance_path().to_string();
            format!("{}: {err}", if at.is_empty() { "/" } else { &at })
        })
        .collect();
    if !failures.is_empty() {
        return Err(held(QuarantineReason::SchemaInvalid, failures.join("; ")));
    }
    let subject_id = match &t.subject_key {
        None => None,
        Some(key) => {
            match e.payload.pointer(key).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()) {
                Some(id) => Some(id),
                None => {
                    return Err(held(
                        QuarantineReason::SchemaInvalid,
                        format!("{key}: the subject's id is missing or not an id"),
                    ));
                }
            }
        }
    };
    let record_id = match &t.record_key {
        None => None,
        Some(key) => match e.payload.pointer(key) {
            Some(Value::String(id)) if !id.is_empty() && id.len() <= 200 => Some(id.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => {
                return Err(Held {
                    reason: QuarantineReason::SchemaInvalid,
                    detail: format!("{key}: the record's id is missing, empty or not a string or number"),
                    subject_id,
                });
            }
        },
    };
    Ok(Passed { stream: t.stream, record_id, subject_id })
}
