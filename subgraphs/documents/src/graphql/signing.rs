//! The signing side of the API: signers on a document, sending for
//! signature, signing, declining, reminding, voiding and verifying.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use subgraph_kit::{
    ApiError,
    context::{ClientIp, UserAgent},
    graphql::{allow, uuid},
    rbac::Scope,
};

use super::{
    objects::{Document, DocumentVersion, SignerRole},
    reachable, services,
};
use crate::domain::{
    invalid,
    signing::{self, Mark, Request, Signing},
    timeline::By,
    verification::{self, Verdict},
};

/// One person to ask.
#[derive(InputObject)]
pub struct SignerInput {
    /// Who (a user of your tenant).
    pub user_id: ID,
    /// Their step; steps are taken in order, one step's people in parallel.
    #[graphql(default = 1)]
    pub step: i32,
    /// What they are asked to do.
    #[graphql(default_with = "SignerRole::Signer")]
    pub role: SignerRole,
    /// The template signer role whose signature fields they fill.
    pub field_role: Option<String>,
}

/// A draft to send for signature.
#[derive(InputObject)]
pub struct SendForSignatureInput {
    /// The document.
    pub document_id: ID,
    /// Who to ask.
    pub signers: Vec<SignerInput>,
    /// Signing must be done by then (the document expires after it).
    pub deadline: Option<DateTime<Utc>>,
}

/// How a signature is given.
#[derive(Enum, Copy, Clone, PartialEq, Eq)]
pub enum SignatureKind {
    /// A typed name.
    Typed,
    /// A drawing (PNG).
    Drawn,
}

/// A signature and the consent to sign electronically.
#[derive(InputObject)]
pub struct SignatureInput {
    /// You agree to sign electronically (`signingConsentText`).
    pub consent_to_sign_electronically: bool,
    /// How you sign.
    pub kind: SignatureKind,
    /// Your typed name (`TYPED`).
    pub typed_name: Option<String>,
    /// Your drawn signature, PNG in base64 (`DRAWN`).
    pub drawing_png_base64: Option<String>,
}

/// The signing `input` describes, by `user` from this request's address.
pub(crate) fn signing_of(
    ctx: &Context<'_>,
    user: uuid::Uuid,
    version: i32,
    input: SignatureInput,
) -> Result<Signing> {
    let mark = match (input.kind, input.typed_name, input.drawing_png_base64) {
        (SignatureKind::Typed, Some(name), None) => Mark::Typed(name),
        (SignatureKind::Drawn, None, Some(png)) => Mark::Drawn(
            STANDARD
                .decode(png.trim())
                .map_err(|_| invalid("INVALID_SIGNATURE", "drawingPngBase64 is not base64"))?,
        ),
        _ => {
            return Err(
                invalid("INVALID_SIGNATURE", "TYPED takes typedName, DRAWN takes drawingPngBase64").into()
            );
        }
    };
    Ok(Signing { version, consent: input.consent_to_sign_electronically, mark, by: by(ctx, user) })
}

/// A signature on a document.
#[derive(InputObject)]
pub struct SignDocumentInput {
    /// The document.
    pub document_id: ID,
    /// The version you reviewed (refused if it is no longer current).
    pub version: i32,
    /// You agree to sign electronically (`signingConsentText`).
    pub consent_to_sign_electronically: bool,
    /// How you sign.
    pub kind: SignatureKind,
    /// Your typed name (`TYPED`).
    pub typed_name: Option<String>,
    /// Your drawn signature, PNG in base64 (`DRAWN`).
    pub drawing_png_base64: Option<String>,
}

/// A person who signed, as verification reports them.
#[derive(SimpleObject)]
pub struct VerifiedSigner {
    /// Who: a user of your tenant (for another tenant's sealed document,
    /// its certificate page names them; their id stays theirs).
    pub user_id: Option<ID>,
    /// Their step.
    pub step: i32,
    /// Signer or approver.
    pub role: SignerRole,
    /// When.
    pub signed_at: Option<DateTime<Utc>>,
    /// The SHA-256 of the version they signed.
    pub version_sha256: Option<String>,
}

/// What verification found.
#[derive(Enum, Copy, Clone, PartialEq, Eq)]
pub enum VerificationStatus {
    /// Exactly the bytes of a version.
    Intact,
    /// Changed: they name a document of your tenant but match none of its
    /// versions.
    Tampered,
    /// Not a document we know.
    Unknown,
}

/// The answer to `verifyDocument`.
#[derive(SimpleObject)]
pub struct DocumentVerification {
    /// What the bytes are.
    pub status: VerificationStatus,
    /// SHA-256 of the bytes given.
    pub sha256: String,
    /// The document's id (intact or tampered).
    pub document_id: Option<ID>,
    /// Its title.
    pub title: Option<String>,
    /// The version the bytes are (intact).
    pub version: Option<DocumentVersion>,
    /// Whether the platform's seal over these bytes verifies (sealed
    /// versions).
    pub seal_valid: Option<bool>,
    /// Who signed.
    pub signers: Vec<VerifiedSigner>,
}

/// Signing queries.
#[derive(Default)]
pub struct SigningQuery;

#[Object]
impl SigningQuery {
    /// What a signer agrees to by signing electronically, word for word.
    async fn signing_consent_text(&self) -> &'static str {
        signing::CONSENT_TEXT
    }

    /// The public key (Ed25519, base64) completed documents are sealed with now.
    async fn document_seal_key(&self, ctx: &Context<'_>) -> Result<String> {
        allow(ctx, "document", "read").await?;
        Ok(services(ctx)?.sealer.public_key())
    }

    /// Which document and version a file is, whether it is intact, who
    /// signed it and whether the platform's seal holds.
    async fn verify_document(
        &self,
        ctx: &Context<'_>,
        content_base64: String,
    ) -> Result<DocumentVerification> {
        let a = allow(ctx, "document", "read").await?;
        let s = services(ctx)?;
        let bytes = super::mutation::decode(s, &content_base64)?;
        // A sealed PDF is verifiable by anyone it was sent to, in any
        // tenant: the one read across tenants by design (what it reveals of
        // another tenant's document is decided below).
        let v = subgraph_kit::isolation::as_platform(verification::verify(&s.db, a.caller.tenant_id, &bytes))
            .await?;
        let ours = v.document.as_ref().is_some_and(|d| d.tenant_id == a.caller.tenant_id);
        Ok(DocumentVerification {
            status: match v.verdict {
                Verdict::Intact => VerificationStatus::Intact,
                Verdict::Tampered => VerificationStatus::Tampered,
                Verdict::Unknown => VerificationStatus::Unknown,
            },
            sha256: v.sha256,
            document_id: v.document.as_ref().map(|d| ID(d.id.to_string())),
            title: v.document.map(|d| d.title),
            version: v.version.map(Into::into),
            seal_valid: v.seal_valid,
            signers: v
                .signers
                .into_iter()
                .map(|r| VerifiedSigner {
                    user_id: ours.then(|| ID(r.user_id.to_string())),
                    step: r.step,
                    role: r.role.into(),
                    signed_at: r.acted_at,
                    version_sha256: r.version_sha256,
                })
                .collect(),
        })
    }
}

/// Signing mutations.
#[derive(Default)]
pub struct SigningMutation;

fn by(ctx: &Context<'_>, user: uuid::Uuid) -> By {
    By {
        user: Some(user),
        ip: ctx.data_opt::<ClientIp>().and_then(|ip| ip.0.clone()),
        user_agent: ctx.data_opt::<UserAgent>().and_then(|ua| ua.0.clone()),
    }
}

#[Object]
impl SigningMutation {
    /// Sends a draft for signature: step 1's people are asked at once (a
    /// notification each), later steps when the step before has signed.
    async fn send_for_signature(&self, ctx: &Context<'_>, input: SendForSignatureInput) -> Result<Document> {
        let a = allow(ctx, "document", "manage").await?;
        let doc = reachable(&a, "documentId", &input.document_id).await?;
        if a.scope < Scope::Team && doc.row().created_by != a.caller.user_id {
            return Err(ApiError::Forbidden("only the document's creator may send it".into()).into());
        }
        let mut requests = Vec::new();
        for (i, s) in input.signers.into_iter().enumerate() {
            requests.push(Request {
                user_id: uuid(&format!("signers.{i}.userId"), &s.user_id)?,
                step: s.step,
                role: s.role.into(),
                field_role: s.field_role,
            });
        }
        Ok(signing::send(services(ctx)?, doc, a.caller.user_id, requests, input.deadline).await?.into())
    }

    /// Signs (or approves) the document's current version, when it is your
    /// step; the last signature completes and seals it.
    async fn sign_document(&self, ctx: &Context<'_>, input: SignDocumentInput) -> Result<Document> {
        let a = allow(ctx, "document", "sign").await?;
        let s = services(ctx)?;
        let doc = reachable(&a, "documentId", &input.document_id).await?;
        let signature = SignatureInput {
            consent_to_sign_electronically: input.consent_to_sign_electronically,
            kind: input.kind,
            typed_name: input.typed_name,
            drawing_png_base64: input.drawing_png_base64,
        };
        let signing = signing_of(ctx, a.caller.user_id, input.version, signature)?;
        Ok(signing::sign(s, doc, a.caller.user_id, signing).await?.into())
    }

    /// Declines to sign, with a reason; the document stops there.
    async fn decline_document(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Document> {
        let a = allow(ctx, "document", "sign").await?;
        let doc = reachable(&a, "id", &id).await?;
        Ok(signing::decline(services(ctx)?, doc, a.caller.user_id, reason, by(ctx, a.caller.user_id))
            .await?
            .into())
    }

    /// Reminds the people whose signature is awaited (at most once an
    /// hour each); returns how many were reminded.
    async fn remind_signers(&self, ctx: &Context<'_>, id: ID) -> Result<usize> {
        let a = allow(ctx, "document", "manage").await?;
        let doc = reachable(&a, "id", &id).await?;
        Ok(signing::remind(services(ctx)?, doc.row(), chrono::Duration::hours(1)).await?)
    }

    /// Withdraws a document; pending requests lapse.
    async fn void_document(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Document> {
        let a = allow(ctx, "document", "manage").await?;
        let doc = reachable(&a, "id", &id).await?;
        if a.scope < Scope::Team && doc.row().created_by != a.caller.user_id {
            return Err(ApiError::Forbidden("only the document's creator may void it".into()).into());
        }
        Ok(signing::void(services(ctx)?, doc, a.caller.user_id, reason).await?.into())
    }
}
