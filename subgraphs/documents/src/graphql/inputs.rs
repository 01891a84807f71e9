//! Input types of the documents API.

use async_graphql::{ID, InputObject, Json};

use super::objects::{DocumentKind, FieldKind};
use crate::domain::fields::Field;

/// One field of a template being saved.
#[derive(InputObject)]
pub struct TemplateFieldInput {
    /// How the markup names it: lowercase letters, digits and `_`.
    pub key: String,
    /// What a person filling it sees.
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether it must be filled (a required checkbox must be ticked).
    #[graphql(default)]
    pub required: bool,
    /// Text: the most characters.
    pub max_length: Option<u32>,
    /// Number: the smallest value.
    pub min: Option<f64>,
    /// Number: the largest value.
    pub max: Option<f64>,
    /// Choice: the allowed values.
    #[graphql(default)]
    pub options: Vec<String>,
    /// Signature or initials: the signing role that fills it.
    pub signer_role: Option<String>,
}

impl From<TemplateFieldInput> for Field {
    fn from(f: TemplateFieldInput) -> Self {
        Self {
            key: f.key,
            label: f.label,
            kind: f.kind.into(),
            required: f.required,
            max_length: f.max_length,
            min: f.min,
            max: f.max,
            options: f.options,
            signer_role: f.signer_role,
        }
    }
}

/// A template to save as the next version of its key.
#[derive(InputObject)]
pub struct SaveDocumentTemplateInput {
    /// The name every version shares (`consent-general`).
    pub key: String,
    /// What people call it.
    pub name: String,
    /// What documents made from it are.
    pub kind: DocumentKind,
    /// Typst markup; `field("key")` prints a field, `signature("key")` a
    /// signature field.
    pub markup: String,
    /// Its typed fields.
    pub fields: Vec<TemplateFieldInput>,
}

/// Whom and what a document concerns (each id must be in your tenant).
#[derive(InputObject, Default)]
pub struct SubjectsInput {
    /// The person it is about.
    pub subject_user_id: Option<ID>,
    /// The appointment.
    pub appointment_id: Option<ID>,
    /// The complaint.
    pub complaint_id: Option<ID>,
    /// The invoice.
    pub invoice_id: Option<ID>,
}

/// A document to generate from a template.
#[derive(InputObject)]
pub struct GenerateDocumentInput {
    /// A template version's id; or `templateKey` for the key's latest.
    pub template_id: Option<ID>,
    /// A template key (its latest version is used).
    pub template_key: Option<String>,
    /// The title.
    pub title: String,
    /// Values by field key.
    pub data: Json<serde_json::Value>,
    /// Whom and what it concerns.
    #[graphql(default)]
    pub subjects: SubjectsInput,
}

/// A PDF to keep as a document.
#[derive(InputObject)]
pub struct UploadDocumentInput {
    /// What it is.
    pub kind: DocumentKind,
    /// The title.
    pub title: String,
    /// The PDF, base64 (standard alphabet).
    pub content_base64: String,
    /// Whom and what it concerns.
    #[graphql(default)]
    pub subjects: SubjectsInput,
}

/// What a revision changes: new data (generated documents) or a new PDF.
#[derive(InputObject)]
pub struct ReviseDocumentInput {
    /// The document.
    pub id: ID,
    /// New values by field key.
    pub data: Option<Json<serde_json::Value>>,
    /// A new PDF, base64.
    pub content_base64: Option<String>,
}
