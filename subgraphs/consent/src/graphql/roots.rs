//! Query and mutation roots.

use async_graphql::{Context, ID, InputObject, Object, Result, connection::Connection};
use chrono::{DateTime, Utc};
use subgraph_kit::{
    ApiError, ApiResult,
    context::ClientIp,
    contract::Subject,
    graphql::{Allowed, allow, uuid},
    pagination::Page,
    rbac::Scope,
    tenancy::Ref,
};
use uuid::Uuid;

use super::objects::*;
use crate::domain::{dsar, records, retention, scopes, state::ConsentState};

/// The person a request is about: the caller unless another is named, which
/// needs a tenant-wide grant and a user of the caller's tenant (another
/// tenant's person is `NOT_FOUND`).
pub(crate) async fn subject(a: &Allowed<'_>, id: &ID) -> ApiResult<Uuid> {
    let user = uuid("userId", id)?;
    if user == a.caller.user_id {
        return Ok(user);
    }
    if a.scope == Scope::Own {
        return Err(ApiError::Forbidden("you may act only on your own consents".into()));
    }
    Ok(Ref::<backbone_entities::tenancy::user::Entity>::find(&a.kit.db, a.caller.tenant_id, user).await?.id())
}

async fn subject_or_self(a: &Allowed<'_>, id: Option<&ID>) -> ApiResult<Uuid> {
    match id {
        Some(id) => subject(a, id).await,
        None => Ok(a.caller.user_id),
    }
}

fn state<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a ConsentState> {
    ctx.data::<ConsentState>().map_err(|_| ApiError::Internal("consent state missing".into()))
}

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The tenant's consent scopes: the platform's and its own.
    async fn consent_scopes(&self, ctx: &Context<'_>) -> Result<Vec<ConsentScope>> {
        let a = allow(ctx, "consent", "read").await?;
        let all = scopes::list(&a.kit.db, a.caller.tenant_id).await?;
        Ok(all.into_iter().map(|(key, description)| ConsentScope { key, description }).collect())
    }

    /// Whether a person consents to `scope` now (a narrower withdrawal or an
    /// expiry says no; an unknown scope says no).
    async fn has_consent(&self, ctx: &Context<'_>, user_id: ID, scope: String) -> Result<bool> {
        let a = allow(ctx, "consent", "read").await?;
        let user = subject(&a, &user_id).await?;
        Ok(records::decide(&a.kit.db, a.caller.tenant_id, user, &scope, Utc::now()).await?)
    }

    /// A person's consent history, newest first.
    async fn consent_history(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Consent>> {
        let a = allow(ctx, "consent", "read").await?;
        let page = Page::new(first, after)?;
        let user = subject_or_self(&a, user_id.as_ref()).await?;
        let rows = records::history(&a.kit.db, a.caller.tenant_id, user, &page).await?;
        Ok(rows.connection(|r| (r.id.to_string(), Consent::from(r))))
    }

    /// The platform's public key (Ed25519, base64) that signs receipts.
    async fn consent_receipt_key(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(state(ctx)?.key.public())
    }

    /// Whether a receipt (its JSON) was signed by the platform and is unchanged.
    async fn verify_consent_receipt(&self, ctx: &Context<'_>, receipt: String) -> Result<bool> {
        Ok(state(ctx)?.key.verify(&receipt))
    }

    /// Data-subject requests: the caller's own, or (tenant-wide) everyone's
    /// or one subject's.
    async fn dsar_requests(
        &self,
        ctx: &Context<'_>,
        subject_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, DsarRequest>> {
        let a = allow(ctx, "dsar", "read").await?;
        let page = Page::new(first, after)?;
        let subject = match (a.scope, subject_id) {
            (Scope::Own, _) => Some(a.caller.user_id),
            (_, Some(id)) => Some(uuid("subjectId", &id)?),
            (_, None) => None,
        };
        let base = state(ctx)?.config.public_url.as_deref();
        let rows = dsar::list(&a.kit.db, a.caller.tenant_id, subject, &page).await?;
        Ok(rows.connection(|r| (r.id.to_string(), DsarRequest::from_row(r, base, a.caller.user_id))))
    }

    /// The tenant's retention rules.
    async fn retention_rules(&self, ctx: &Context<'_>) -> Result<Vec<RetentionRule>> {
        let a = allow(ctx, "retention", "manage").await?;
        Ok(retention::list(&a.kit.db, a.caller.tenant_id).await?.into_iter().map(Into::into).collect())
    }

    /// Dry run: what the tenant's rules would purge now.
    async fn retention_report(&self, ctx: &Context<'_>) -> Result<Vec<RetentionLine>> {
        let a = allow(ctx, "retention", "manage").await?;
        let s = state(ctx)?;
        let services = &state(ctx)?.config.data_services;
        let lines =
            retention::run(&a.kit.db, &s.client, services, Some(a.caller.tenant_id), Utc::now(), true)
                .await?;
        Ok(lines.into_iter().map(Into::into).collect())
    }

    /// Federation: a user, to which consent adds `consents`.
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id }
    }
}

/// A grant or withdrawal.
#[derive(InputObject)]
pub struct ConsentInput {
    /// The person; default the caller. Others need a tenant-wide grant.
    pub user_id: Option<ID>,
    /// Scope key.
    pub scope: String,
    /// Version of the consent text the person saw.
    pub text_version: String,
    /// How the person gave it (`SYSTEM` is refused).
    #[graphql(default_with = "ConsentChannel::Web")]
    pub channel: ConsentChannel,
    /// When a grant lapses (grants only).
    pub expires_at: Option<DateTime<Utc>>,
}

/// Mutation root.
pub struct MutationRoot;

async fn change(ctx: &Context<'_>, a: &Allowed<'_>, input: ConsentInput) -> ApiResult<records::Change> {
    let user_id = subject_or_self(a, input.user_id.as_ref()).await?;
    let source_ip = ctx.data_opt::<ClientIp>().and_then(|ip| ip.0.clone());
    Ok(records::Change {
        tenant_id: a.caller.tenant_id,
        user_id,
        scope: input.scope,
        text_version: input.text_version,
        channel: input.channel.into(),
        source_ip,
        expires_at: input.expires_at,
        recorded_by: a.caller.user_id,
    })
}

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Records a grant and returns it with its signed receipt.
    async fn grant_consent(&self, ctx: &Context<'_>, input: ConsentInput) -> Result<Consent> {
        let a = allow(ctx, "consent", "grant").await?;
        let c = change(ctx, &a, input).await?;
        let s = state(ctx)?;
        Ok(records::grant(&a.kit.db, &s.key, &a.kit.config.auth.issuer, c).await?.into())
    }

    /// Records a withdrawal; effective for the very next check.
    async fn withdraw_consent(&self, ctx: &Context<'_>, input: ConsentInput) -> Result<Consent> {
        let a = allow(ctx, "consent", "grant").await?;
        let c = change(ctx, &a, input).await?;
        Ok(records::withdraw(&a.kit.db, c).await?.into())
    }

    /// Defines a tenant consent scope.
    async fn define_consent_scope(
        &self,
        ctx: &Context<'_>,
        key: String,
        description: String,
    ) -> Result<ConsentScope> {
        let a = allow(ctx, "consent", "manage").await?;
        let s = scopes::define(&a.kit.db, a.caller.tenant_id, &key, &description).await?;
        Ok(ConsentScope { key: s.key, description: s.description })
    }

    /// Asks for a data-subject request about oneself (or, tenant-wide, about
    /// `subjectId`). Access, portability and erasure run in the background.
    async fn request_dsar(
        &self,
        ctx: &Context<'_>,
        kind: DsarKind,
        subject_id: Option<ID>,
        details: Option<String>,
    ) -> Result<DsarRequest> {
        let a = allow(ctx, "dsar", "create").await?;
        let user_id = match subject_id {
            Some(id) => subject(&a, &id).await?,
            None => a.caller.user_id,
        };
        let who = Subject { tenant_id: a.caller.tenant_id, user_id };
        let row = dsar::submit(&a.kit.db, who, a.caller.user_id, kind.into(), details).await?;
        Ok(DsarRequest::from_row(row, state(ctx)?.config.public_url.as_deref(), a.caller.user_id))
    }

    /// Rejects an open request, with a note.
    async fn reject_dsar_request(&self, ctx: &Context<'_>, id: ID, note: String) -> Result<DsarRequest> {
        let a = allow(ctx, "dsar", "manage").await?;
        let request = Ref::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        let row = dsar::close(&a.kit.db, &request, a.caller.user_id, dsar::Status::Rejected, &note).await?;
        Ok(DsarRequest::from_row(row, None, a.caller.user_id))
    }

    /// Marks a rectification done, with what was corrected.
    async fn complete_rectification(&self, ctx: &Context<'_>, id: ID, note: String) -> Result<DsarRequest> {
        let a = allow(ctx, "dsar", "manage").await?;
        let request = Ref::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        let row = dsar::close(&a.kit.db, &request, a.caller.user_id, dsar::Status::Completed, &note).await?;
        Ok(DsarRequest::from_row(row, None, a.caller.user_id))
    }

    /// Sets how long the tenant keeps a data type.
    async fn set_retention_rule(
        &self,
        ctx: &Context<'_>,
        data_type: String,
        max_age_days: i64,
        #[graphql(default)] exceptions: Vec<ID>,
        #[graphql(default = true)] enabled: bool,
    ) -> Result<RetentionRule> {
        let a = allow(ctx, "retention", "manage").await?;
        let s = state(ctx)?;
        let exceptions = exceptions.iter().map(|id| uuid("exceptions", id)).collect::<ApiResult<Vec<_>>>()?;
        let known = retention::catalog(&s.client, &state(ctx)?.config.data_services).await;
        let rule = retention::set(
            &a.kit.db,
            &known,
            a.caller.tenant_id,
            &data_type,
            max_age_days,
            exceptions,
            enabled,
        )
        .await?;
        Ok(rule.into())
    }

    /// Applies the tenant's retention rules now; returns what was purged.
    async fn apply_retention(&self, ctx: &Context<'_>) -> Result<Vec<RetentionLine>> {
        let a = allow(ctx, "retention", "manage").await?;
        let s = state(ctx)?;
        let services = &state(ctx)?.config.data_services;
        let lines =
            retention::run(&a.kit.db, &s.client, services, Some(a.caller.tenant_id), Utc::now(), false)
                .await?;
        Ok(lines.into_iter().map(Into::into).collect())
    }
}
