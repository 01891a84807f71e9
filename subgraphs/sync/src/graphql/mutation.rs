//! Mutations: sending batches, registering event types, enrolling
//! devices, assigning people to health workers, and the quarantine.

use async_graphql::{Context, ID, Json, Object, Result};
use backbone_entities::{
    sync::{device, quarantine as held},
    tenancy::user,
};
use subgraph_kit::{ApiError, graphql::allow, rbac::Scope, tenancy::Ref};

use super::{inputs::*, objects::*, services};
use crate::domain::{assignments, checks::Sender, devices, event_types, ingest, invalid, quarantine, replay};

/// Mutation root.
#[derive(Default)]
pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Sends a batch of events from the caller's enrolled devices. Each
    /// event is acknowledged on its own: `ACCEPTED`, `DUPLICATE` (sent
    /// before; the first id) or `REJECTED` (a coded reason; held in the
    /// quarantine when an admin can fix it). Sending a batch again is safe.
    async fn sync_events(&self, ctx: &Context<'_>, batch: SyncBatchInput) -> Result<SyncBatchResult> {
        let a = allow(ctx, "sync_event", "record").await?;
        let s = services(ctx)?;
        if batch.events.len() > s.settings.max_batch_events {
            return Err(invalid(
                "BATCH_TOO_LARGE",
                format!(
                    "{} events; a batch holds at most {}",
                    batch.events.len(),
                    s.settings.max_batch_events
                ),
            )
            .into());
        }
        let sender = Sender {
            tenant_id: a.caller.tenant_id,
            user_id: a.caller.user_id,
            anyone: a.scope >= Scope::Tenant,
        };
        Ok(ingest::accept(s, sender, batch.into()).await?.into())
    }

    /// Registers an event type's schema version. The same registration
    /// again returns it; another schema under a registered version is
    /// refused (`VERSION_EXISTS`).
    async fn register_sync_event_type(
        &self,
        ctx: &Context<'_>,
        input: RegisterSyncEventTypeInput,
    ) -> Result<SyncEventType> {
        let a = allow(ctx, "sync_event_type", "manage").await?;
        Ok(event_types::register(services(ctx)?, a.caller.tenant_id, a.caller.user_id, input.into())
            .await?
            .into())
    }

    /// Enrolls a device: to the caller, or with tenant scope to `userId`.
    async fn enroll_sync_device(
        &self,
        ctx: &Context<'_>,
        name: String,
        user_id: Option<ID>,
    ) -> Result<SyncDevice> {
        let a = allow(ctx, "sync_device", "enroll").await?;
        let user = match user_id {
            Some(id) => Ref::<user::Entity>::parse(&a.kit.db, a.caller.tenant_id, "userId", &id).await?,
            None => Ref::<user::Entity>::find(&a.kit.db, a.caller.tenant_id, a.caller.user_id).await?,
        };
        if a.scope < Scope::Tenant && user.id() != a.caller.user_id {
            return Err(ApiError::Forbidden("only one's own devices".into()).into());
        }
        Ok(devices::enroll(&a.kit.db, &user, a.caller.user_id, &name).await?.into())
    }

    /// Revokes a device: its later events are held as not enrolled.
    async fn revoke_sync_device(&self, ctx: &Context<'_>, id: ID) -> Result<SyncDevice> {
        let a = allow(ctx, "sync_device", "enroll").await?;
        let own = (a.scope < Scope::Tenant).then_some(a.caller.user_id);
        let device: Ref<device::Entity> = devices::reachable(&a.kit.db, a.caller.tenant_id, &id, own).await?;
        Ok(devices::revoke(&a.kit.db, device, a.caller.user_id).await?.into())
    }

    /// Lets a health worker record for a person.
    async fn assign_sync_subject(&self, ctx: &Context<'_>, worker_id: ID, subject_id: ID) -> Result<bool> {
        let a = allow(ctx, "sync_assignment", "manage").await?;
        let worker =
            Ref::<user::Entity>::parse(&a.kit.db, a.caller.tenant_id, "workerId", &worker_id).await?;
        let subject =
            Ref::<user::Entity>::parse(&a.kit.db, a.caller.tenant_id, "subjectId", &subject_id).await?;
        assignments::assign(&a.kit.db, &worker, &subject, a.caller.user_id).await?;
        Ok(true)
    }

    /// Ends an assignment; whether there was one.
    async fn unassign_sync_subject(&self, ctx: &Context<'_>, worker_id: ID, subject_id: ID) -> Result<bool> {
        let a = allow(ctx, "sync_assignment", "manage").await?;
        let worker =
            Ref::<user::Entity>::parse(&a.kit.db, a.caller.tenant_id, "workerId", &worker_id).await?;
        let subject =
            Ref::<user::Entity>::parse(&a.kit.db, a.caller.tenant_id, "subjectId", &subject_id).await?;
        Ok(assignments::unassign(&a.kit.db, &worker, &subject, a.caller.user_id).await?)
    }

    /// Replays a held event, with `payload` in place of its own when
    /// given: it is judged again and accepted, or stays held with the new
    /// reason (the error's `reason`).
    async fn replay_quarantined_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        payload: Option<Json<serde_json::Value>>,
    ) -> Result<SyncedEvent> {
        let a = allow(ctx, "sync_quarantine", "manage").await?;
        let s = services(ctx)?;
        let row = Ref::<held::Entity>::parse(&s.db, a.caller.tenant_id, "id", &id).await?;
        Ok(replay::replay(s, row, a.caller.user_id, payload.map(|p| p.0)).await?.into())
    }

    /// Discards a held event.
    async fn discard_quarantined_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<QuarantinedEvent> {
        let a = allow(ctx, "sync_quarantine", "manage").await?;
        let row = Ref::<held::Entity>::parse(&a.kit.db, a.caller.tenant_id, "id", &id).await?;
        Ok(quarantine::discard(&a.kit.db, row, a.caller.user_id, note).await?.into())
    }
}
