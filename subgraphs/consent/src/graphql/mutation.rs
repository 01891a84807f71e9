//! The mutation root.

use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use subgraph_kit::{
    ApiResult,
    context::ClientIp,
    contract::Subject,
    graphql::{Allowed, allow, uuid},
    tenancy::Ref,
};

use super::{inputs::ConsentInput, objects::*, state, subject, subject_or_self};
use crate::domain::{dsar, records, retention, scopes};

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
