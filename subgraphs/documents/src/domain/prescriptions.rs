//! Prescriptions (SAHAY PRD BE-FR-8): a structured list of medicines
//! rendered through the tenant's `prescription` template (the platform's
//! own until the tenant saves its version of that key), signed by the
//! prescriber at once and sealed, and summed up for the patient in an SMS
//! under 320 characters sent through the notifications subgraph.

use backbone_entities::{
    documents::{document, signer::SignerRole, template},
    tenancy::user,
};
use chrono::Utc;
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult, outbox, tenancy::Ref};
use uuid::Uuid;

use super::{
    Services,
    documents::{self, Source, Subjects},
    fields::{Field, FieldKind},
    invalid,
    signing::{self, Request, Signing},
    templates::{self, NewTemplate},
};

/// The template key prescriptions render with.
pub const TEMPLATE_KEY: &str = "prescription";
/// The platform's prescription markup (version 1 of the key in a tenant).
const MARKUP: &str = include_str!("builtin/prescription.typ");
/// The longest SMS summary.
pub const MAX_SUMMARY_CHARS: usize = 320;
/// The most medicines on one prescription.
pub const MAX_MEDICINES: usize = 30;

/// One medicine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Medicine {
    /// Its name and strength (`Amoxicillin 500 mg`).
    pub name: String,
    /// How much at a time (`1 capsule`).
    pub dose: String,
    /// How often (`3 times a day`).
    pub frequency: String,
    /// For how many days.
    pub duration_days: u32,
    /// How to take it (`after food`).
    pub instructions: Option<String>,
}

/// A prescription to issue.
#[derive(Debug, Clone)]
pub struct Prescription {
    /// The patient (a user of the tenant).
    pub patient_id: Uuid,
    /// The appointment it was written in.
    pub appointment_id: Option<Uuid>,
    /// The diagnosis.
    pub diagnosis: Option<String>,
    /// The medicines.
    pub medicines: Vec<Medicine>,
    /// Notes for the patient or the pharmacist.
    pub notes: Option<String>,
}

fn check(p: &Prescription) -> ApiResult<()> {
    if p.medicines.is_empty() || p.medicines.len() > MAX_MEDICINES {
        return Err(invalid("INVALID_PRESCRIPTION", format!("1 to {MAX_MEDICINES} medicines")));
    }
    let within = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
    for (i, m) in p.medicines.iter().enumerate() {
        if !within(&m.name, 200) || !within(&m.dose, 100) || !within(&m.frequency, 100) {
            return Err(invalid(
                "INVALID_PRESCRIPTION",
                format!("medicine {}: name, dose and frequency are required", i + 1),
            ));
        }
        if m.duration_days == 0 || m.duration_days > 3_650 {
            return Err(invalid("INVALID_PRESCRIPTION", format!("medicine {}: 1 to 3,650 days", i + 1)));
        }
        if m.instructions.as_deref().is_some_and(|s| s.chars().count() > 500) {
            return Err(invalid(
                "INVALID_PRESCRIPTION",
                format!("medicine {}: instructions of at most 500 characters", i + 1),
            ));
        }
    }
    if [&p.diagnosis, &p.notes].iter().any(|t| t.as_deref().is_some_and(|t| t.chars().count() > 2_000)) {
        return Err(invalid("INVALID_PRESCRIPTION", "diagnosis and notes are at most 2,000 characters"));
    }
    Ok(())
}

/// The fields of the prescription template.
fn fields() -> Vec<Field> {
    let text = |key: &str, label: &str, required: bool| Field {
        key: key.into(),
        label: label.into(),
        kind: FieldKind::Text,
        required,
        max_length: Some(if key == "medicines" { 60_000 } else { 2_000 }),
        min: None,
        max: None,
        options: vec![],
        signer_role: None,
    };
    let mut issued_on = text("issued_on", "Issued on", true);
    issued_on.kind = FieldKind::Date;
    issued_on.max_length = None;
    let mut signature = text("prescriber_signature", "Prescriber's signature", true);
    signature.kind = FieldKind::Signature;
    signature.max_length = None;
    signature.signer_role = Some("prescriber".into());
    vec![
        text("patient_name", "Patient", true),
        text("prescriber_name", "Prescriber", true),
        issued_on,
        text("diagnosis", "Diagnosis", false),
        text("medicines", "Medicines (JSON)", true),
        text("notes", "Notes", false),
        signature,
    ]
}

/// The tenant's `prescription` template: its latest version, or the
/// platform's, saved as version 1 on first use.
async fn template(s: &Services, tenant_id: Uuid, actor: Uuid) -> ApiResult<Ref<template::Entity>> {
    let t = match templates::latest(&s.db, tenant_id, TEMPLATE_KEY).await? {
        Some(t) => t,
        None => {
            let new = NewTemplate {
                key: TEMPLATE_KEY.into(),
                name: "Prescription".into(),
                kind: document::DocumentKind::Prescription,
                markup: MARKUP.into(),
                fields: fields(),
            };
            match templates::save(s, tenant_id, actor, new).await {
                Ok(t) => t,
                // Saved by a concurrent first prescription.
                Err(ApiError::Because { reason: "TEMPLATE_CHANGED", .. }) => {
                    templates::latest(&s.db, tenant_id, TEMPLATE_KEY)
                        .await?
                        .ok_or_else(|| ApiError::Internal("prescription template vanished".into()))?
                }
                Err(e) => return Err(e),
            }
        }
    };
    Ref::<template::Entity>::find(&s.db, tenant_id, t.id).await
}

/// Issues `p`, signed by `prescriber` with `signing`; returns the sealed
/// document and the SMS summary sent to the patient.
pub async fn issue(
    s: &Services,
    tenant_id: Uuid,
    prescriber: Uuid,
    p: Prescription,
    signing: Signing,
) -> ApiResult<(document::Model, String)> {
    check(&p)?;
    let patient = Ref::<user::Entity>::find(&s.db, tenant_id, p.patient_id).await?;
    let doctor = Ref::<user::Entity>::find(&s.db, tenant_id, prescriber).await?;
    let today = Utc::now().date_naive();
    let medicines = serde_json::to_string(&p.medicines).map_err(|e| ApiError::Internal(e.to_string()))?;
    let data = json!({
        "patient_name": patient.row().display_name,
        "prescriber_name": doctor.row().display_name,
        "issued_on": today.format("%Y-%m-%d").to_string(),
        "diagnosis": p.diagnosis,
        "medicines": medicines,
        "notes": p.notes,
    });
    let template = template(s, tenant_id, prescriber).await?;
    let subjects =
        Subjects { user_id: Some(p.patient_id), appointment_id: p.appointment_id, ..Subjects::default() };
    let title = format!("Prescription for {} ({today})", patient.row().display_name);
    let source = Source::Template { template: Box::new(template), data };
    let (doc, _) = documents::create(s, tenant_id, prescriber, title, source, subjects).await?;
    let doc = Ref::<document::Entity>::find(&s.db, tenant_id, doc.id).await?;
    let ask = Request {
        user_id: prescriber,
        step: 1,
        role: SignerRole::Signer,
        field_role: Some("prescriber".into()),
    };
    signing::send(s, doc.clone(), prescriber, vec![ask], None).await?;
    let doc = signing::sign(s, doc, prescriber, Signing { version: 1, ..signing }).await?;

    let summary = summary(&doctor.row().display_name, &today.format("%d %b %Y").to_string(), &p, doc.id);
    let txn = s.db.begin().await?;
    let payload = json!({"documentId": doc.id, "summary": summary, "recipientIds": [p.patient_id]});
    outbox::enqueue(&txn, tenant_id, Some(prescriber), "prescription.issued", payload).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok((doc, summary))
}

/// The SMS: who prescribed what, for how long; medicines that do not fit
/// are counted, and the summary never passes [`MAX_SUMMARY_CHARS`].
pub fn summary(prescriber: &str, date: &str, p: &Prescription, document_id: Uuid) -> String {
    let head = format!("Rx {date}, {}: ", clip(prescriber, 40));
    let tail = format!(" Signed copy in your app, ref {}.", &document_id.simple().to_string()[..8]);
    let items: Vec<String> = p
        .medicines
        .iter()
        .map(|m| {
            format!(
                "{} {}, {}, {}d",
                clip(&m.name, 60),
                clip(&m.dose, 30),
                clip(&m.frequency, 30),
                m.duration_days
            )
        })
        .collect();
    let room = MAX_SUMMARY_CHARS - head.chars().count() - tail.chars().count();
    let mut body = String::new();
    for (i, item) in items.iter().enumerate() {
        let more = items.len() - i - 1;
        let candidate = if body.is_empty() { item.clone() } else { format!("{body}; {item}") };
        let suffix = if more > 0 { format!("; +{more} more") } else { String::new() };
        if candidate.chars().count() + suffix.chars().count() > room {
            let rest = items.len() - i;
            body =
                if body.is_empty() { format!("{rest} medicines") } else { format!("{body}; +{rest} more") };
            break;
        }
        body = candidate;
    }
    format!("{head}{body}.{tail}").chars().take(MAX_SUMMARY_CHARS).collect()
}

fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn med(name: &str) -> Medicine {
        Medicine {
            name: name.into(),
            dose: "1 tablet".into(),
            frequency: "twice a day".into(),
            duration_days: 5,
            instructions: None,
        }
    }

    #[test]
    fn the_summary_fits_an_sms_however_long_the_list() {
        let short = Prescription {
            patient_id: Uuid::nil(),
            appointment_id: None,
            diagnosis: None,
            medicines: vec![med("Amoxicillin 500 mg")],
            notes: None,
        };
        let s = summary("Dr Rao", "06 Dec 2026", &short, Uuid::nil());
        assert_eq!(
            s,
            "Rx 06 Dec 2026, Dr Rao: Amoxicillin 500 mg 1 tablet, twice a day, 5d. Signed copy in your app, ref 00000000."
        );
        let long = Prescription {
            medicines: (0..30).map(|i| med(&format!("Medicine number {i} with a long name"))).collect(),
            ..short
        };
        let s = summary(&"Dr ".repeat(50), "06 Dec 2026", &long, Uuid::nil());
        assert!(s.chars().count() <= MAX_SUMMARY_CHARS, "{} chars", s.chars().count());
        assert!(s.contains("more") && s.contains("Medicine number 0"), "{s}");
    }
}
