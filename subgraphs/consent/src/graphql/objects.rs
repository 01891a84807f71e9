//! API types. Rows convert into these explicitly; nothing here is a table.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject, connection::Connection};
use backbone_entities::consent::{
    dsar_request::{self, DsarKind as StoredKind, DsarStatus as StoredStatus},
    record::{self, CaptureChannel as StoredChannel, ConsentAction as StoredAction},
    retention_rule,
};
use chrono::{DateTime, Utc};
use subgraph_kit::{graphql::allow, pagination::Page};

use crate::domain::{records, retention};

/// A person, owned by the tenants subgraph; consent adds their consents.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    /// The user's id; the tenants subgraph resolves the rest.
    pub id: ID,
}

#[ComplexObject]
impl User {
    /// The current consent per scope (latest record of each), for the
    /// person themselves or staff who may read consents.
    async fn consents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Consent>> {
        let a = allow(ctx, "consent", "read").await?;
        let page = Page::new(first, after)?;
        let user = super::subject(&a, &self.id).await?;
        let current = records::current(&a.kit.db, a.caller.tenant_id, user).await?;
        Ok(page.slice(current)?.connection_at(Consent::from))
    }
}

subgraph_kit::mirror_enum!(
    /// What a consent record says happened.
    ConsentAction = StoredAction {
        /// Consent given.
        Granted,
        /// Consent taken back.
        Withdrawn,
        /// A grant lapsed at its `expiresAt`.
        Expired,
    }
);

subgraph_kit::mirror_enum!(
    /// How consent was given or withdrawn.
    ConsentChannel = StoredChannel {
        /// A web page.
        Web,
        /// A mobile app.
        App,
        /// A signed paper form, entered by staff.
        Paper,
        /// A phone call, entered by staff.
        Phone,
        /// An email.
        Email,
        /// An integration, through the API.
        Api,
        /// The platform itself (expiries); not accepted as input.
        System,
    }
);

/// One grant, withdrawal or expiry.
#[derive(SimpleObject)]
pub struct Consent {
    /// Record id (also the receipt id of a grant).
    pub id: ID,
    /// The person the consent is about.
    pub user_id: ID,
    /// The scope's key, e.g. `health_data.vitals`.
    pub scope: String,
    /// What happened.
    pub action: ConsentAction,
    /// The version of the consent text the person saw, as the product named it.
    pub text_version: String,
    /// How it was given or withdrawn.
    pub channel: ConsentChannel,
    /// Client address as the edge reported it.
    pub source_ip: Option<String>,
    /// When a grant lapses.
    pub expires_at: Option<DateTime<Utc>>,
    /// Signed receipt (JSON) of a grant.
    pub receipt: Option<String>,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

impl From<record::Model> for Consent {
    fn from(r: record::Model) -> Self {
        Self {
            id: r.id.into(),
            user_id: r.user_id.into(),
            scope: r.scope,
            action: r.action.into(),
            text_version: r.text_version,
            channel: r.channel.into(),
            source_ip: r.source_ip,
            expires_at: r.expires_at,
            receipt: r.receipt,
            at: r.at,
        }
    }
}

/// A consent scope.
#[derive(SimpleObject)]
pub struct ConsentScope {
    /// Dotted key; `a` covers `a.b`.
    pub key: String,
    /// What consenting to it allows, as shown to the person.
    pub description: String,
}

subgraph_kit::mirror_enum!(
    /// What a data-subject request asks for.
    DsarKind = StoredKind {
        /// A copy of the person's data (a download package).
        Access,
        /// The person's data, machine-readable, to take elsewhere (a package).
        Portability,
        /// The person's data erased in every subgraph, except under legal hold.
        Erasure,
        /// Something corrected; staff complete it by hand (needs `details`).
        Rectification,
    }
);

subgraph_kit::mirror_enum!(
    /// Where a data-subject request is.
    DsarStatus = StoredStatus {
        /// Recorded, waiting for the job (or for staff, for rectification).
        Submitted,
        /// Being carried out.
        Processing,
        /// Done; see `result` (and `downloadUrl` for packages).
        Completed,
        /// A subgraph failed; see `error`.
        Failed,
        /// Refused by staff; see `result`.
        Rejected,
    }
);

/// A data-subject request.
#[derive(SimpleObject)]
pub struct DsarRequest {
    /// The request's id.
    pub id: ID,
    /// The subject; null once erased.
    pub subject_id: Option<ID>,
    /// What was asked for.
    pub kind: DsarKind,
    /// Where it is.
    pub status: DsarStatus,
    /// What the person asked to be corrected (rectification), if they said.
    pub details: Option<String>,
    /// JSON outcome: erased counts per subgraph, or services exported.
    pub result: Option<String>,
    /// Which subgraph failed and why; null unless `FAILED`.
    pub error: Option<String>,
    /// Package download link (access, portability), while it lasts.
    pub download_url: Option<String>,
    /// When the link stops working.
    pub download_expires_at: Option<DateTime<Utc>>,
    /// When the request was submitted.
    pub created_at: DateTime<Utc>,
    /// When it completed, failed or was rejected; null while open.
    pub completed_at: Option<DateTime<Utc>>,
}

impl DsarRequest {
    /// From a row as `viewer` sees it; `base` prefixes the download path.
    /// A package link is a bearer link: only the person and whoever asked
    /// for the package see it, not everyone who may read the tenant's
    /// requests (an auditor).
    pub fn from_row(r: dsar_request::Model, base: Option<&str>, viewer: uuid::Uuid) -> Self {
        let live = r.package.is_some() && r.package_expires_at.is_some_and(|e| e > Utc::now());
        let theirs = r.subject_id == Some(viewer) || r.requested_by == Some(viewer);
        let download_url = r
            .package_token
            .as_ref()
            .filter(|_| live && theirs)
            .map(|t| format!("{}/dsar/packages/{t}", base.unwrap_or("").trim_end_matches('/')));
        let details = serde_json::from_str::<serde_json::Value>(&r.details)
            .ok()
            .and_then(|v| v["details"].as_str().map(str::to_owned))
            .filter(|d| !d.is_empty());
        Self {
            id: r.id.into(),
            subject_id: r.subject_id.map(Into::into),
            kind: r.kind.into(),
            status: r.status.into(),
            details,
            result: r.result,
            error: r.error,
            download_url,
            download_expires_at: if live { r.package_expires_at } else { None },
            created_at: r.created_at,
            completed_at: r.completed_at,
        }
    }
}

/// A retention rule.
#[derive(SimpleObject)]
pub struct RetentionRule {
    /// The data type it purges, as the data services name it (e.g. `ai_requests`).
    pub data_type: String,
    /// Rows older than this many days are purged.
    pub max_age_days: i64,
    /// Users on legal hold.
    pub exceptions: Vec<ID>,
    /// Applied by the purge.
    pub enabled: bool,
}

impl From<retention_rule::Model> for RetentionRule {
    fn from(r: retention_rule::Model) -> Self {
        let exceptions = retention::exceptions(&r).into_iter().map(Into::into).collect();
        Self { data_type: r.data_type, max_age_days: r.max_age_days, exceptions, enabled: r.enabled }
    }
}

/// One line of a purge (or dry-run) report.
#[derive(SimpleObject)]
pub struct RetentionLine {
    /// The subgraph that purged (or would purge) the rows.
    pub service: String,
    /// The data type counted, as the data services name it.
    pub data_type: String,
    /// Rows purged, or that would be.
    pub count: i64,
}

impl From<retention::Line> for RetentionLine {
    fn from(l: retention::Line) -> Self {
        Self { service: l.service, data_type: l.data_type, count: l.count as i64 }
    }
}
