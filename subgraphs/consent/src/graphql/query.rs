//! The query root.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::Utc;
use subgraph_kit::{
    graphql::{allow, uuid},
    pagination::Page,
    rbac::Scope,
};

use super::{objects::*, state, subject, subject_or_self};
use crate::domain::{dsar, records, retention, scopes};

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The tenant's consent scopes: the platform's and its own.
    async fn consent_scopes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ConsentScope>> {
        let a = allow(ctx, "consent", "read").await?;
        let page = Page::new(first, after)?;
        let all = scopes::list(&a.kit.db, a.caller.tenant_id).await?;
        Ok(page.slice(all)?.connection_at(|(key, description)| ConsentScope { key, description }))
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
    async fn retention_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, RetentionRule>> {
        let a = allow(ctx, "retention", "manage").await?;
        let page = Page::new(first, after)?;
        Ok(retention::list(&a.kit.db, a.caller.tenant_id, &page).await?.connection_at(RetentionRule::from))
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
