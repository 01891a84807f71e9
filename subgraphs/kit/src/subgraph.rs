//! The one shape of a subgraph. A subgraph crate implements [`Subgraph`]
//! once; the CLI, dev mode, `compose` and the tests reach it through one
//! list of [`AnySubgraph`]s (`backbone::subgraphs::ALL`), so adding a
//! subgraph touches its own crate, that list, its migration and entities
//! (docs/design.md §1 and "Adding a subgraph").

use std::{future::Future, pin::Pin, sync::Arc};

use async_graphql::{ObjectType, SDLExportOptions, Schema, SubscriptionType};
use axum::Router;
use futures::{FutureExt, future::Shared};
use tokio::task::JoinHandle;

use crate::{
    Kit,
    config::{Config, ConfigError, Needs, Section},
    contract::DataContract,
    rbac::catalog::{Catalog, Grant, Permission},
};

/// Resolves when the process is asked to stop; every clone resolves with
/// it, so each worker holds its own.
pub type Shutdown = Shared<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// A [`Shutdown`] that resolves on ctrl-c or SIGTERM.
pub fn on_signal() -> Shutdown {
    let signal: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(crate::serve::shutdown_signal());
    signal.shared()
}

/// One subgraph: its name, schema, routes and background work.
pub trait Subgraph: Send + Sync + 'static {
    /// The query root.
    type Query: ObjectType + 'static;
    /// The mutation root (`EmptyMutation` for none).
    type Mutation: ObjectType + 'static;
    /// The subscription root (`EmptySubscription` for none).
    type Subscription: SubscriptionType + 'static;
    /// Its table of the configuration, `[NAME]`
    /// ([`crate::config::NoSettings`] for none).
    type Config: Section;

    /// Its name in the supergraph, on the command line
    /// (`backbone subgraph NAME`) and in `consent.data_services`.
    const NAME: &'static str;

    /// The permissions it checks.
    const PERMISSIONS: &'static [Permission] = &[];

    /// What each default role gets of them in a new tenant.
    const DEFAULT_GRANTS: &'static [Grant] = &[];

    /// The services it calls, which `backbone subgraph NAME` refuses to
    /// start without.
    const NEEDS: &'static [Needs] = &[];

    /// Its table of `kit`'s configuration. Every table is checked when the
    /// configuration is loaded ([`AnySubgraph::check_config`]), so this
    /// fails only for a table code set wrongly; that is logged and the
    /// defaults used.
    fn settings(kit: &Kit) -> Self::Config
    where
        Self: Sized,
    {
        kit.config.sections.get(Self::NAME).unwrap_or_else(|error| {
            tracing::error!(subgraph = Self::NAME, %error, "configuration table unusable; using defaults");
            Self::Config::default()
        })
    }

    /// The Federation v2 schema over `kit`.
    fn schema(&self, kit: &Kit) -> Schema<Self::Query, Self::Mutation, Self::Subscription>;

    /// Its side of DSAR and retention, when it keeps personal data:
    /// served at `/internal/data/*`.
    fn data_contract(&self) -> Option<Arc<dyn DataContract>> {
        None
    }

    /// [`Subgraph::data_contract`] over `kit`, for a contract that needs
    /// more than the database it is handed (an object store it erases
    /// files from). What `/internal/data/*` serves; defaults to
    /// [`Subgraph::data_contract`].
    fn data_contract_for(&self, _kit: &Kit) -> Option<Arc<dyn DataContract>> {
        self.data_contract()
    }

    /// Routes it serves besides `/graphql` and the data contract (internal
    /// calls, downloads).
    fn routes(&self, _kit: &Kit) -> Router {
        Router::new()
    }

    /// The HTTP app: `/graphql` over HTTP and WebSocket, the data contract,
    /// [`Subgraph::routes`], and the kit's edges (`/health`, `/ready`,
    /// request ids, client address, body limit).
    fn app(&self, kit: &Kit) -> Router {
        let mut routes = crate::graphql::routes(self.schema(kit), kit.clone()).merge(self.routes(kit));
        if let Some(contract) = self.data_contract_for(kit) {
            routes = routes.merge(crate::contract::routes(kit.clone(), contract));
        }
        crate::serve::with_edges(routes, kit.db.clone(), kit.config.http.body_limit_bytes)
    }

    /// The federation SDL it exports (what `_service { sdl }` answers).
    fn sdl(&self, kit: &Kit) -> String {
        self.schema(kit).sdl_with_options(SDLExportOptions::new().federation().compose_directive())
    }

    /// Starts its background work (engines, consumers, jobs), each task
    /// ending when `shutdown` resolves.
    fn workers(&self, _kit: &Kit, _shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        Vec::new()
    }
}

/// A [`Subgraph`] behind a pointer, for lists of different subgraphs.
pub trait AnySubgraph: Send + Sync + 'static {
    /// [`Subgraph::NAME`].
    fn name(&self) -> &'static str;
    /// [`Subgraph::app`].
    fn app(&self, kit: &Kit) -> Router;
    /// [`Subgraph::sdl`].
    fn sdl(&self, kit: &Kit) -> String;
    /// [`Subgraph::workers`].
    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>>;
    /// Checks its table of `config`.
    fn check_config(&self, config: &Config) -> Result<(), ConfigError>;
    /// Adds its permissions and default grants to `catalog`.
    fn declare(&self, catalog: Catalog) -> Catalog;
    /// Whether it serves a data contract (DSAR and retention ask only
    /// those that do).
    fn keeps_personal_data(&self) -> bool;
    /// [`Subgraph::NEEDS`].
    fn needs(&self) -> &'static [Needs];
}

impl<S: Subgraph> AnySubgraph for S {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn app(&self, kit: &Kit) -> Router {
        Subgraph::app(self, kit)
    }

    fn sdl(&self, kit: &Kit) -> String {
        Subgraph::sdl(self, kit)
    }

    fn workers(&self, kit: &Kit, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        Subgraph::workers(self, kit, shutdown)
    }

    fn check_config(&self, config: &Config) -> Result<(), ConfigError> {
        config.sections.get::<S::Config>(S::NAME).map(drop)
    }

    fn declare(&self, catalog: Catalog) -> Catalog {
        catalog.with(S::PERMISSIONS, S::DEFAULT_GRANTS)
    }

    fn keeps_personal_data(&self) -> bool {
        Subgraph::data_contract(self).is_some()
    }

    fn needs(&self) -> &'static [Needs] {
        S::NEEDS
    }
}
