//! Every subgraph this binary serves, in one list: its app, its exported
//! SDL and its background workers. Dev mode, `backbone subgraph NAME` and
//! `backbone compose` all read from here, so a new subgraph is added once.

use axum::Router;
use subgraph_kit::{Kit, serve};
use tokio::task::JoinHandle;

/// Subgraph names, in dev-mode port order (router + 1, + 2, …).
pub const NAMES: [&str; 6] = [
    subgraph_tenants::NAME,
    subgraph_complaints::NAME,
    subgraph_notifications::NAME,
    subgraph_consent::NAME,
    subgraph_ai::NAME,
    subgraph_memory::NAME,
];

/// The consent subgraph's name (the AI and memory subgraphs call it).
pub const CONSENT: &str = subgraph_consent::NAME;

/// The HTTP app of subgraph `name`.
pub fn app(kit: &Kit, name: &str) -> Option<Router> {
    Some(match name {
        subgraph_tenants::NAME => subgraph_tenants::app(kit),
        subgraph_complaints::NAME => subgraph_complaints::app(kit),
        subgraph_notifications::NAME => subgraph_notifications::app(kit),
        subgraph_consent::NAME => subgraph_consent::app(kit),
        subgraph_ai::NAME => subgraph_ai::app(kit),
        subgraph_memory::NAME => subgraph_memory::app(kit),
        _ => return None,
    })
}

/// The federation SDL subgraph `name` exports.
pub fn sdl(kit: &Kit, name: &str) -> Option<String> {
    Some(match name {
        subgraph_tenants::NAME => subgraph_tenants::sdl(kit),
        subgraph_complaints::NAME => subgraph_complaints::sdl(kit),
        subgraph_notifications::NAME => subgraph_notifications::sdl(kit),
        subgraph_consent::NAME => subgraph_consent::sdl(kit),
        subgraph_ai::NAME => subgraph_ai::sdl(kit),
        subgraph_memory::NAME => subgraph_memory::sdl(kit),
        _ => return None,
    })
}

/// Starts subgraph `name`'s background work (SLA engine, notification
/// consumer and deliveries, DSAR jobs and retention); each stops on ctrl-c or SIGTERM.
pub fn spawn_workers(kit: &Kit, name: &str) -> Vec<JoinHandle<()>> {
    match name {
        subgraph_complaints::NAME => {
            vec![tokio::spawn(subgraph_complaints::run_sla_engine(kit.clone(), serve::shutdown_signal()))]
        }
        subgraph_notifications::NAME => {
            let member = format!("notifications-{}", uuid::Uuid::new_v4());
            vec![tokio::spawn(subgraph_notifications::run_workers(
                kit.clone(),
                member,
                serve::shutdown_signal(),
            ))]
        }
        subgraph_consent::NAME => {
            vec![tokio::spawn(subgraph_consent::run_workers(kit.clone(), serve::shutdown_signal()))]
        }
        _ => Vec::new(),
    }
}
