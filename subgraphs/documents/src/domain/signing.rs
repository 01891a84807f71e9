//! Signing flows: signers in sequential steps, the people of one step in
//! parallel; each signature bound to the SHA-256 of the version signed,
//! with the signer's consent to sign electronically, address, user agent
//! and time. A step starts when every signer and approver of the step
//! before it has signed; the last signature seals the document
//! ([`super::sealing`]). Declines, reminders, expiry and voiding live
//! here too.

use backbone_entities::documents::{
    document::{self, DocumentStatus},
    event::EventKind,
    signer::{self, SignerRole, SignerStatus},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use subgraph_kit::{ApiError, ApiResult, audit, outbox, tenancy::Ref};
use uuid::Uuid;

use super::{Services, invalid, sealing, templates, timeline, timeline::By, versions};

/// What a signer agrees to before signing, recorded word for word.
pub const CONSENT_TEXT: &str = "I agree to sign this document electronically and that my electronic \
    signature is as binding as my handwritten one.";

/// The most people one document may be sent to.
pub const MAX_SIGNERS: usize = 50;
/// The largest drawn signature, PNG.
pub const MAX_DRAWING_BYTES: usize = 256 * 1024;

/// One person to ask.
#[derive(Debug, Clone)]
pub struct Request {
    /// Who (a user of the tenant).
    pub user_id: Uuid,
    /// Their step (steps are taken in order; only their order matters).
    pub step: i32,
    /// What they are asked to do.
    pub role: SignerRole,
    /// The template's signer role whose signature fields they fill.
    pub field_role: Option<String>,
}

/// Sends a draft for signature.
pub async fn send(
    s: &Services,
    doc: Ref<document::Entity>,
    actor: Uuid,
    mut requests: Vec<Request>,
    deadline: Option<DateTime<Utc>>,
) -> ApiResult<document::Model> {
    let d = doc.row().clone();
    if d.status != DocumentStatus::Draft {
        return Err(ApiError::conflict("NOT_DRAFT", "only a draft is sent for signature; revise it first"));
    }
    if requests.is_empty() || requests.len() > MAX_SIGNERS {
        return Err(invalid("INVALID_SIGNERS", format!("send to 1 to {MAX_SIGNERS} people")));
    }
    if !requests.iter().any(|r| r.role != SignerRole::Viewer) {
        return Err(invalid("INVALID_SIGNERS", "at least one signer or approver"));
    }
    if let Some(deadline) = deadline
        && (deadline <= Utc::now() || deadline > Utc::now() + Duration::days(366))
    {
        return Err(invalid("INVALID_DEADLINE", "the deadline is within the next year"));
    }
    // Steps keep their order, numbered 1, 2, … without gaps.
    let mut steps: Vec<i32> = requests.iter().map(|r| r.step).collect();
    steps.sort_unstable();
    steps.dedup();
    for r in &mut requests {
        r.step = steps.iter().position(|s| *s == r.step).map_or(1, |i| i as i32 + 1);
    }
    let mut seen = std::collections::HashSet::new();
    for r in &requests {
        if !seen.insert((r.user_id, r.step)) {
            return Err(invalid("INVALID_SIGNERS", "a person is named twice in one step"));
        }
        Ref::<backbone_entities::tenancy::user::Entity>::find(&s.db, d.tenant_id, r.user_id).await?;
    }
    check_field_roles(s, &d, &requests).await?;

    let txn = s.db.begin().await?;
    let now = Utc::now();
    for r in &requests {
        waiting(&d, r).insert(&txn).await?;
    }
    let mut row = d.into_active_model();
    row.status = Set(DocumentStatus::Pending);
    row.signing_deadline = Set(deadline);
    row.updated_at = Set(now);
    let d = row.update(&txn).await?;
    timeline::record(&txn, &d, EventKind::Sent, By::user(actor), None, None).await?;
    invite_step(&txn, &d, 1).await?;
    audit::append(
        &txn,
        d.tenant_id,
        Some(actor),
        entry("document.sent", &d, json!({"signers": requests.len()})),
    )
    .await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(d)
}

/// Every template signature field's role is someone's, and no one is
/// given a role the template does not have.
async fn check_field_roles(s: &Services, d: &document::Model, requests: &[Request]) -> ApiResult<()> {
    let fields = match d.template_id {
        Some(id) => templates::fields_of(
            Ref::<backbone_entities::documents::template::Entity>::find(&s.db, d.tenant_id, id).await?.row(),
        )?,
        None => Vec::new(),
    };
    let roles: Vec<&str> = fields.iter().filter_map(|f| f.signer_role.as_deref()).collect();
    for r in requests {
        if let Some(role) = &r.field_role
            && !roles.contains(&role.as_str())
        {
            return Err(invalid("INVALID_SIGNERS", format!("the template has no signer role `{role}`")));
        }
    }
    for f in fields.iter().filter(|f| f.kind.is_signed() && f.required) {
        let filled = match &f.signer_role {
            Some(role) => {
                requests.iter().any(|r| r.role == SignerRole::Signer && r.field_role.as_deref() == Some(role))
            }
            None => requests.iter().any(|r| r.role == SignerRole::Signer),
        };
        if !filled {
            return Err(invalid(
                "INVALID_SIGNERS",
                format!("nobody is asked to fill `{}` ({})", f.key, f.label),
            ));
        }
    }
    Ok(())
}

/// A new signer row for `r`, waiting for its step.
fn waiting(d: &document::Model, r: &Request) -> signer::ActiveModel {
    signer::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(d.tenant_id),
        document_id: Set(d.id),
        step: Set(r.step),
        role: Set(r.role),
        field_role: Set(r.field_role.clone()),
        user_id: Set(r.user_id),
        status: Set(SignerStatus::Waiting),
        created_at: Set(Utc::now()),
        invited_at: Set(None),
        reminded_at: Set(None),
        acted_at: Set(None),
        version_number: Set(None),
        version_sha256: Set(None),
        signature_kind: Set(None),
        signature_text: Set(None),
        signature_image_key: Set(None),
        consent_text: Set(None),
        ip: Set(None),
        user_agent: Set(None),
        decline_reason: Set(None),
    }
}

fn entry(event_type: &'static str, d: &document::Model, data: serde_json::Value) -> audit::AuditEntry {
    audit::AuditEntry { event_type, resource_type: "document", resource_id: d.id.to_string(), data }
}

/// Asks the signers and approvers of `step` (waiting until now).
async fn invite_step(txn: &DatabaseTransaction, d: &document::Model, step: i32) -> ApiResult<()> {
    let waiting = active(txn, d)
        .await?
        .into_iter()
        .filter(|r| r.step == step && r.role != SignerRole::Viewer && r.status == SignerStatus::Waiting);
    let now = Utc::now();
    let mut asked = Vec::new();
    for r in waiting {
        asked.push(r.user_id);
        let mut row = r.into_active_model();
        row.status = Set(SignerStatus::Pending);
        row.invited_at = Set(Some(now));
        let r = row.update(txn).await?;
        timeline::record(
            txn,
            d,
            EventKind::Invited,
            By::default(),
            None,
            Some(format!("user {}", r.user_id)),
        )
        .await?;
    }
    let payload = json!({"documentId": d.id, "title": d.title, "step": step, "recipientIds": asked});
    outbox::enqueue(txn, d.tenant_id, None, "document.signature_requested", payload).await?;
    Ok(())
}

/// The document's signer rows that still count (not voided), by step.
pub async fn active(db: &impl ConnectionTrait, d: &document::Model) -> ApiResult<Vec<signer::Model>> {
    Ok(signer::Entity::find()
        .filter(signer::Column::TenantId.eq(d.tenant_id))
        .filter(signer::Column::DocumentId.eq(d.id))
        .filter(signer::Column::Status.ne(SignerStatus::Voided))
        .order_by_asc(signer::Column::Step)
        .order_by_asc(signer::Column::CreatedAt)
        .limit(MAX_SIGNERS as u64)
        .all(db)
        .await?)
}

/// Whether `user` is asked to act on `d` (now or in a later step).
pub async fn is_signer(db: &impl ConnectionTrait, d: &document::Model, user: Uuid) -> ApiResult<bool> {
    Ok(active(db, d).await?.iter().any(|r| r.user_id == user))
}

pub use super::rendering::Mark;

/// One signing.
#[derive(Debug, Clone)]
pub struct Signing {
    /// The version the signer reviewed; refused when it is no longer
    /// current.
    pub version: i32,
    /// Their consent to sign electronically ([`CONSENT_TEXT`]).
    pub consent: bool,
    /// The signature.
    pub mark: Mark,
    /// Who and from where.
    pub by: By,
}

/// Signs (or approves) `doc` as `user`; the last signature completes it.
pub async fn sign(
    s: &Services,
    doc: Ref<document::Entity>,
    user: Uuid,
    signing: Signing,
) -> ApiResult<document::Model> {
    if !signing.consent {
        return Err(invalid("CONSENT_TO_SIGN_REQUIRED", "agree to sign electronically first"));
    }
    let image_key = match &signing.mark {
        Mark::Typed(name) if name.trim().is_empty() || name.chars().count() > 100 => {
            return Err(invalid("INVALID_SIGNATURE", "a typed signature is 1 to 100 characters"));
        }
        Mark::Typed(_) => None,
        Mark::Drawn(png) => Some(store_drawing(s, doc.row(), png).await?),
    };
    let txn = s.db.begin().await?;
    let d = locked(&txn, &doc).await?;
    if d.status != DocumentStatus::Pending {
        return Err(ApiError::conflict("NOT_PENDING", "the document is not out for signature"));
    }
    if d.signing_deadline.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::conflict("SIGNING_EXPIRED", "the signing deadline has passed"));
    }
    if signing.version != d.current_version {
        return Err(ApiError::conflict(
            "VERSION_CHANGED",
            format!("the document is now version {}; review it and sign that", d.current_version),
        ));
    }
    let rows = active(&txn, &d).await?;
    let mine = rows
        .iter()
        .find(|r| r.user_id == user && r.role != SignerRole::Viewer && r.status == SignerStatus::Pending);
    let Some(mine) = mine.cloned() else {
        if rows
            .iter()
            .any(|r| r.user_id == user && r.status == SignerStatus::Waiting && r.role != SignerRole::Viewer)
        {
            return Err(ApiError::conflict("NOT_YOUR_TURN", "an earlier step has not finished signing"));
        }
        if rows.iter().any(|r| r.user_id == user && r.status == SignerStatus::Signed) {
            return Err(ApiError::conflict("ALREADY_SIGNED", "you have signed this version"));
        }
        return Err(ApiError::Forbidden("you are not asked to sign this document".into()));
    };
    let v = versions::numbered(&txn, d.tenant_id, d.id, d.current_version).await?;
    let (kind, text) = match &signing.mark {
        Mark::Typed(name) => ("typed", Some(name.trim().to_owned())),
        Mark::Drawn(_) => ("drawn", None),
    };
    let mut row = mine.clone().into_active_model();
    row.status = Set(SignerStatus::Signed);
    row.acted_at = Set(Some(Utc::now()));
    row.version_number = Set(Some(v.number));
    row.version_sha256 = Set(Some(v.sha256.clone()));
    row.signature_kind = Set(Some(kind.into()));
    row.signature_text = Set(text);
    row.signature_image_key = Set(image_key);
    row.consent_text = Set(Some(CONSENT_TEXT.into()));
    row.ip = Set(signing.by.ip.clone());
    row.user_agent = Set(signing.by.user_agent.clone());
    row.update(&txn).await?;
    timeline::record(
        &txn,
        &d,
        EventKind::Signed,
        signing.by.clone(),
        Some(&v),
        Some(format!("{:?} step {}", mine.role, mine.step).to_lowercase()),
    )
    .await?;
    let payload = json!({"documentId": d.id, "kind": d.kind, "signerId": user, "role": mine.role, "step": mine.step,
        "version": v.number, "sha256": v.sha256});
    outbox::enqueue(&txn, d.tenant_id, Some(user), "document.signed", payload).await?;
    audit::append(
        &txn,
        d.tenant_id,
        Some(user),
        entry("document.signed", &d, json!({"version": v.number, "sha256": v.sha256})),
    )
    .await?;

    let rows = active(&txn, &d).await?;
    let step_done = !rows
        .iter()
        .any(|r| r.step == mine.step && r.role != SignerRole::Viewer && r.status != SignerStatus::Signed);
    let d = if !step_done {
        d
    } else if let Some(next) = rows
        .iter()
        .filter(|r| r.role != SignerRole::Viewer && r.status == SignerStatus::Waiting)
        .map(|r| r.step)
        .min()
    {
        invite_step(&txn, &d, next).await?;
        d
    } else {
        sealing::complete(s, &txn, d, &rows, &v).await?
    };
    subgraph_kit::db::commit(txn).await?;
    Ok(d)
}

/// Checks a drawn signature renders, then keeps it beside the document.
async fn store_drawing(s: &Services, d: &document::Model, png: &[u8]) -> ApiResult<String> {
    if png.len() > MAX_DRAWING_BYTES || !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(invalid(
            "INVALID_SIGNATURE",
            format!("a drawn signature is a PNG of at most {MAX_DRAWING_BYTES} bytes"),
        ));
    }
    let page = super::rendering::Page {
        markup: "#signature(\"mark\")".into(),
        title: "signature".into(),
        marks: vec![("mark".into(), super::rendering::Mark::Drawn(png.to_vec()))],
        ..Default::default()
    };
    super::rendering::pdf(s, page)
        .await
        .map_err(|_| invalid("INVALID_SIGNATURE", "the drawn signature is not a readable PNG"))?;
    let key =
        format!("{}/signatures/{}", crate::store::Store::document_prefix(d.tenant_id, d.id), Uuid::now_v7());
    s.store.put(&key, bytes::Bytes::copy_from_slice(png)).await?;
    Ok(key)
}

/// `doc` re-read under a row lock (on Postgres), so one document's
/// signatures are taken one at a time.
async fn locked(txn: &DatabaseTransaction, doc: &Ref<document::Entity>) -> ApiResult<document::Model> {
    document::Entity::find_by_id(doc.id())
        .filter(document::Column::TenantId.eq(doc.tenant_id()))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such document".into()))
}

/// Declines to sign `doc`: it stops there.
pub async fn decline(
    s: &Services,
    doc: Ref<document::Entity>,
    user: Uuid,
    reason: String,
    by: By,
) -> ApiResult<document::Model> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1_000 {
        return Err(invalid("INVALID_REASON", "a reason of 1 to 1,000 characters"));
    }
    let txn = s.db.begin().await?;
    let d = locked(&txn, &doc).await?;
    if d.status != DocumentStatus::Pending {
        return Err(ApiError::conflict("NOT_PENDING", "the document is not out for signature"));
    }
    let rows = active(&txn, &d).await?;
    let Some(mine) = rows
        .iter()
        .find(|r| r.user_id == user && r.status == SignerStatus::Pending && r.role != SignerRole::Viewer)
        .cloned()
    else {
        return Err(ApiError::Forbidden("you are not asked to sign this document now".into()));
    };
    let mut row = mine.into_active_model();
    row.status = Set(SignerStatus::Declined);
    row.acted_at = Set(Some(Utc::now()));
    row.decline_reason = Set(Some(reason.clone()));
    row.ip = Set(by.ip.clone());
    row.user_agent = Set(by.user_agent.clone());
    row.update(&txn).await?;
    let mut row = d.into_active_model();
    row.status = Set(DocumentStatus::Declined);
    row.updated_at = Set(Utc::now());
    let d = row.update(&txn).await?;
    timeline::record(&txn, &d, EventKind::Declined, by, None, Some(reason)).await?;
    let payload =
        json!({"documentId": d.id, "title": d.title, "status": d.status, "recipientIds": [d.created_by]});
    outbox::enqueue(&txn, d.tenant_id, Some(user), "document.declined", payload).await?;
    audit::append(&txn, d.tenant_id, Some(user), entry("document.declined", &d, json!({}))).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(d)
}

/// Withdraws `doc`: pending requests lapse, and it takes no more changes.
pub async fn void(
    s: &Services,
    doc: Ref<document::Entity>,
    actor: Uuid,
    reason: String,
) -> ApiResult<document::Model> {
    let txn = s.db.begin().await?;
    let d = locked(&txn, &doc).await?;
    if matches!(d.status, DocumentStatus::Completed | DocumentStatus::Voided) {
        return Err(ApiError::conflict("DOCUMENT_CLOSED", "a completed or voided document stays as it is"));
    }
    void_requests(&txn, &d).await?;
    let mut row = d.into_active_model();
    row.status = Set(DocumentStatus::Voided);
    row.updated_at = Set(Utc::now());
    let d = row.update(&txn).await?;
    let reason: String = reason.trim().chars().take(1_000).collect();
    timeline::record(&txn, &d, EventKind::Voided, By::user(actor), None, Some(reason)).await?;
    let payload = json!({"documentId": d.id, "title": d.title, "status": d.status});
    outbox::enqueue(&txn, d.tenant_id, Some(actor), "document.voided", payload).await?;
    audit::append(&txn, d.tenant_id, Some(actor), entry("document.voided", &d, json!({}))).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(d)
}

/// Marks every signer row that still counts voided; returns them.
async fn void_requests(txn: &DatabaseTransaction, d: &document::Model) -> ApiResult<Vec<signer::Model>> {
    let rows = active(txn, d).await?;
    for r in &rows {
        let mut row = r.clone().into_active_model();
        row.status = Set(SignerStatus::Voided);
        row.update(txn).await?;
    }
    Ok(rows)
}

/// After a new version of a document out for signature: every signature
/// and request so far is voided and everyone is asked again, from step 1,
/// for the new version. A declined or expired document goes back to
/// draft.
pub async fn restart(txn: &DatabaseTransaction, d: document::Model) -> ApiResult<document::Model> {
    match d.status {
        DocumentStatus::Pending => {
            let voided = void_requests(txn, &d).await?;
            for r in &voided {
                let again = Request {
                    user_id: r.user_id,
                    step: r.step,
                    role: r.role,
                    field_role: r.field_role.clone(),
                };
                waiting(&d, &again).insert(txn).await?;
            }
            let detail =
                format!("{} signatures and requests voided by version {}", voided.len(), d.current_version);
            timeline::record(txn, &d, EventKind::SignaturesVoided, By::default(), None, Some(detail)).await?;
            invite_step(txn, &d, 1).await?;
            Ok(d)
        }
        DocumentStatus::Declined | DocumentStatus::Expired => {
            void_requests(txn, &d).await?;
            let mut row = d.into_active_model();
            row.status = Set(DocumentStatus::Draft);
            Ok(row.update(txn).await?)
        }
        _ => Ok(d),
    }
}

/// The shortest time between two reminders to one signer.
const MIN_REMINDER_GAP_MINUTES: i64 = 60;

/// Reminds the pending signers of `d` not asked or reminded within
/// `gap`; returns how many.
pub async fn remind(s: &Services, d: &document::Model, gap: Duration) -> ApiResult<usize> {
    if d.status != DocumentStatus::Pending {
        return Err(ApiError::conflict("NOT_PENDING", "the document is not out for signature"));
    }
    let gap = gap.max(Duration::minutes(MIN_REMINDER_GAP_MINUTES));
    let now = Utc::now();
    let txn = s.db.begin().await?;
    let quiet: Vec<signer::Model> = active(&txn, d)
        .await?
        .into_iter()
        .filter(|r| r.status == SignerStatus::Pending)
        .filter(|r| r.reminded_at.or(r.invited_at).is_none_or(|at| at <= now - gap))
        .collect();
    let mut due = Vec::new();
    for r in quiet {
        // Only if no other replica reminded them since it was read.
        let unchanged = match r.reminded_at {
            Some(at) => signer::Column::RemindedAt.eq(at),
            None => signer::Column::RemindedAt.is_null(),
        };
        let updated = signer::Entity::update_many()
            .col_expr(signer::Column::RemindedAt, sea_orm::sea_query::Expr::value(now))
            .filter(signer::Column::Id.eq(r.id))
            .filter(unchanged)
            .exec(&txn)
            .await?;
        if updated.rows_affected == 1 {
            due.push(r);
        }
    }
    for r in &due {
        timeline::record(
            &txn,
            d,
            EventKind::Reminded,
            By::default(),
            None,
            Some(format!("user {}", r.user_id)),
        )
        .await?;
    }
    if !due.is_empty() {
        let ids: Vec<Uuid> = due.iter().map(|r| r.user_id).collect();
        let payload = json!({"documentId": d.id, "title": d.title, "recipientIds": ids});
        outbox::enqueue(&txn, d.tenant_id, None, "document.signature_reminder", payload).await?;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(due.len())
}

/// One pass of the signing worker: documents past their deadline expire,
/// and pending signers quiet for `[documents] reminder_after_hours` are
/// reminded. Returns (expired, reminded).
pub async fn sweep(s: &Services) -> ApiResult<(usize, usize)> {
    let now = Utc::now();
    let overdue = document::Entity::find()
        .filter(document::Column::Status.eq(DocumentStatus::Pending))
        .filter(document::Column::SigningDeadline.lte(now))
        .limit(500)
        .all(&s.db)
        .await?;
    let mut expired = 0;
    for d in &overdue {
        let txn = s.db.begin().await?;
        // Only if it is still pending: another replica's sweep, or a last
        // signature, may have got there first.
        let updated = document::Entity::update_many()
            .col_expr(document::Column::Status, sea_orm::sea_query::Expr::value(DocumentStatus::Expired))
            .col_expr(document::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(document::Column::Id.eq(d.id))
            .filter(document::Column::Status.eq(DocumentStatus::Pending))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            continue;
        }
        expired += 1;
        let d = document::Model { status: DocumentStatus::Expired, updated_at: now, ..d.clone() };
        timeline::record(&txn, &d, EventKind::Expired, By::default(), None, None).await?;
        let payload =
            json!({"documentId": d.id, "title": d.title, "status": d.status, "recipientIds": [d.created_by]});
        outbox::enqueue(&txn, d.tenant_id, None, "document.expired", payload).await?;
        subgraph_kit::db::commit(txn).await?;
    }
    let gap = Duration::hours(i64::from(s.settings.reminder_after_hours));
    let quiet = signer::Entity::find()
        .filter(signer::Column::Status.eq(SignerStatus::Pending))
        .filter(
            sea_orm::Condition::any().add(signer::Column::RemindedAt.lte(now - gap)).add(
                sea_orm::Condition::all()
                    .add(signer::Column::RemindedAt.is_null())
                    .add(signer::Column::InvitedAt.lte(now - gap)),
            ),
        )
        .limit(500)
        .all(&s.db)
        .await?;
    let mut docs: Vec<(Uuid, Uuid)> = quiet.iter().map(|r| (r.tenant_id, r.document_id)).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut reminded = 0;
    for (tenant, id) in docs {
        let doc = Ref::<document::Entity>::find(&s.db, tenant, id).await?;
        if doc.row().status == DocumentStatus::Pending {
            reminded += remind(s, doc.row(), gap).await?;
        }
    }
    Ok((expired, reminded))
}

/// Runs [`sweep`] every `[documents] sweep_interval_ms` until `shutdown`.
pub async fn run(s: Services, shutdown: subgraph_kit::subgraph::Shutdown) {
    let every = std::time::Duration::from_millis(s.settings.sweep_interval_ms);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(every) => {
                if let Err(error) = sweep(&s).await {
                    tracing::warn!(%error, "documents sweep failed");
                }
            }
        }
    }
}
