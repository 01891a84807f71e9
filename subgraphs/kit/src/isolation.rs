//! Whose rows the database shows the running task: the application side of
//! Postgres row-level security (docs/design.md §4a, the backstop).
//!
//! Every connection the pool hands out first runs as the role and tenant of
//! the task that asked for it ([`SESSION_SQL`]): a request of tenant T runs
//! as `backbone_app` with `backbone.tenant_id = T`, so the policies show and
//! accept only T's rows even where a query forgot its tenant filter. The
//! request edge sets the isolation ([`within`]); a platform caller, the
//! authentication step and the platform's jobs run as `backbone_platform`.
//!
//! A task with no isolation set is a platform job (the relay, the workers,
//! start-up, tests' own checks) and runs as the platform role. A task a
//! request spawns must carry the request's isolation: [`spawn`] does.
//! SQLite has no row-level security; there this changes nothing.

use std::{
    future::Future,
    sync::{Arc, OnceLock},
};

use uuid::Uuid;

/// Whose rows a task may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// One tenant's rows only.
    Tenant(Uuid),
    /// No tenant's rows: an anonymous or refused caller.
    Nobody,
    /// Every tenant's rows: platform jobs and platform operators.
    Platform,
    /// The user the pool logs in as, taking no role: for schema changes at
    /// run time (pgvector's column and indexes), which need the tables'
    /// owner.
    Owner,
}

/// The role request handling runs as (created by the row-level security
/// migration).
pub const APP_ROLE: &str = "backbone_app";
/// The role that bypasses the policies.
pub const PLATFORM_ROLE: &str = "backbone_platform";

tokio::task_local! {
    /// Set once per scope: a WebSocket learns its caller after the scope
    /// began (at `connection_init`).
    static CURRENT: Arc<OnceLock<Isolation>>;
}

/// Runs `fut` with `isolation`.
pub async fn within<F: Future>(isolation: Isolation, fut: F) -> F::Output {
    CURRENT.scope(Arc::new(OnceLock::from(isolation)), fut).await
}

/// Runs `fut` as the platform (authentication, cross-tenant jobs).
pub async fn as_platform<F: Future>(fut: F) -> F::Output {
    within(Isolation::Platform, fut).await
}

/// Runs `fut` with an isolation [`settle`] fixes later; until then the
/// task sees no tenant's rows.
pub async fn deferred<F: Future>(fut: F) -> F::Output {
    CURRENT.scope(Arc::new(OnceLock::new()), fut).await
}

/// Fixes the isolation of a [`deferred`] scope. Once: a later call changes
/// nothing.
pub fn settle(isolation: Isolation) {
    let _ = CURRENT.try_with(|cell| cell.set(isolation));
}

/// The running task's isolation; `Platform` outside any scope.
pub fn current() -> Isolation {
    CURRENT.try_with(|cell| cell.get().copied().unwrap_or(Isolation::Nobody)).unwrap_or(Isolation::Platform)
}

/// `tokio::spawn`, carrying the spawning task's isolation into the new task.
pub fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let isolation = current();
    tokio::spawn(within(isolation, fut))
}

/// The role and tenant setting a connection takes for `isolation`: the
/// statement's two parameters.
pub fn session_params(isolation: Isolation) -> (&'static str, String) {
    match isolation {
        Isolation::Tenant(tenant) => (APP_ROLE, tenant.to_string()),
        Isolation::Nobody => (APP_ROLE, String::new()),
        Isolation::Platform => (PLATFORM_ROLE, String::new()),
        Isolation::Owner => ("none", String::new()),
    }
}

/// Sets a connection's role and tenant: `$1` the role, `$2` the tenant (or
/// empty). Session-wide, not `SET LOCAL`: it holds for statements outside a
/// transaction too, and every hand-out of the connection sets it again.
pub const SESSION_SQL: &str =
    "SELECT set_config('role', $1, false), set_config('backbone.tenant_id', $2, false)";
