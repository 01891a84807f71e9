//! Queries: event types, devices, records, the quarantine and the
//! changes a device pulls.

use async_graphql::{Context, ID, Object, Result};
use backbone_entities::tenancy::user;
use subgraph_kit::{
    ApiError,
    graphql::{allow, uuid},
    rbac::Scope,
    tenancy::Ref,
    validate,
};

use super::{objects::*, services};
use crate::domain::{changes, devices, event_types, quarantine, records};

/// Query root.
#[derive(Default)]
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// The event types registered in the caller's tenant, by name and
    /// version.
    async fn sync_event_types(&self, ctx: &Context<'_>) -> Result<Vec<SyncEventType>> {
        let a = allow(ctx, "sync_event_type", "read").await?;
        Ok(event_types::list(&a.kit.db, a.caller.tenant_id).await?.into_iter().map(Into::into).collect())
    }

    /// Enrolled devices, newest first: the caller's own, or with tenant
    /// scope those of `userId` (every user's when omitted).
    async fn sync_devices(&self, ctx: &Context<'_>, user_id: Option<ID>) -> Result<Vec<SyncDevice>> {
        let a = allow(ctx, "sync_device", "read").await?;
        let user = match (a.scope >= Scope::Tenant, user_id) {
            (true, Some(id)) => {
                Some(Ref::<user::Entity>::parse(&a.kit.db, a.caller.tenant_id, "userId", &id).await?.id())
            }
            (true, None) => None,
            (false, Some(id)) if uuid("userId", &id)? != a.caller.user_id => {
                return Err(ApiError::Forbidden("only one's own devices".into()).into());
            }
            (false, _) => Some(a.caller.user_id),
        };
        Ok(devices::list(&a.kit.db, a.caller.tenant_id, user).await?.into_iter().map(Into::into).collect())
    }

    /// What changed for the caller's device `deviceId` since the cursor
    /// `since` (from the start when omitted), at most `first` (500; 1000
    /// at most) events and as many records.
    async fn sync_changes(
        &self,
        ctx: &Context<'_>,
        device_id: ID,
        since: Option<String>,
        #[graphql(default = 500)] first: i32,
    ) -> Result<SyncChanges> {
        let a = allow(ctx, "sync_event", "read").await?;
        let first = validate::bounded("first", first.into(), 1000)? as u64;
        let since = since.as_deref().map(changes::Cursor::parse).transpose()?;
        let (tenant, user) = (a.caller.tenant_id, a.caller.user_id);
        Ok(changes::pull(services(ctx)?, tenant, user, &device_id, since, first).await?.into())
    }

    /// A last-writer-wins record's current state: with own scope, only a
    /// record about the caller.
    async fn sync_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "type")] record_type: String,
        id: String,
    ) -> Result<Option<SyncRecord>> {
        let a = allow(ctx, "sync_event", "read").await?;
        let found = records::find(&a.kit.db, a.caller.tenant_id, &record_type, &id).await?;
        Ok(found
            .filter(|r| a.scope >= Scope::Tenant || r.subject_id == Some(a.caller.user_id))
            .map(Into::into))
    }

    /// The quarantine, oldest first: `status` held by default, at most
    /// `first` (50; 500 at most) after the entry `after`.
    async fn sync_quarantine(
        &self,
        ctx: &Context<'_>,
        status: Option<SyncQuarantineStatus>,
        #[graphql(default = 50)] first: i32,
        after: Option<ID>,
    ) -> Result<Vec<QuarantinedEvent>> {
        let a = allow(ctx, "sync_quarantine", "manage").await?;
        let first = validate::bounded("first", first.into(), 500)? as u64;
        let after = after.map(|id| uuid("after", &id)).transpose()?;
        let status = Some(status.unwrap_or(SyncQuarantineStatus::Held).into());
        let rows = quarantine::list(&services(ctx)?.db, a.caller.tenant_id, status, first, after).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
