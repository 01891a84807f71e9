//! Test support: a fresh database per test (SQLite file, or a new Postgres
//! database when `TEST_DATABASE_URL` is set), an app served on port 0, dev
//! tokens, and a small GraphQL client. Used by every subgraph's tests.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Kit, auth, config::Config, db, rbac::catalog::Catalog, subgraph::AnySubgraph};

/// The HS256 secret test servers use.
pub const TEST_SECRET: &str = "backbone-test-secret-0123456789abcdef0123456789";

/// A database that exists for one test.
pub struct TestDb {
    /// Connection URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, empty database: a new Postgres database on the server of
    /// `TEST_DATABASE_URL` when set, else a SQLite file in a temp dir.
    /// Postgres test databases are named `bb_test_*`; `.ci/run` drops
    /// leftovers before a run.
    pub async fn new() -> anyhow::Result<Self> {
        Self::create(std::env::var("TEST_DATABASE_URL").ok()).await
    }

    /// A fresh Postgres database: on `TEST_DATABASE_URL`'s server, else on
    /// the local one. For tests whose setup SQLite does not support, such as
    /// two processes writing one database.
    pub async fn postgres() -> anyhow::Result<Self> {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
        Self::create(Some(url)).await
    }

    /// A fresh database on the Postgres server of `TEST_PGVECTOR_URL`, one
    /// with the pgvector extension (`.ci/run` starts one); `None` when the
    /// variable is unset, and the caller skips.
    pub async fn pgvector() -> anyhow::Result<Option<Self>> {
        match std::env::var("TEST_PGVECTOR_URL").ok().filter(|u| !u.is_empty()) {
            Some(url) => Ok(Some(Self::create(Some(url)).await?)),
            None => Ok(None),
        }
    }

    async fn create(admin_url: Option<String>) -> anyhow::Result<Self> {
        match admin_url {
            Some(admin_url) if !admin_url.is_empty() => {
                let name = format!("bb_test_{}", Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url).await.context("connect TEST_DATABASE_URL")?;
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
                admin.close().await?;
                let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
                Ok(Self { url: format!("{base}/{name}"), _dir: None })
            }
            _ => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Ok(Self { url, _dir: Some(dir) })
            }
        }
    }

    /// Another handle on the same database (a second replica); the first
    /// handle keeps owning its cleanup.
    pub fn borrowed(&self) -> Self {
        Self { url: self.url.clone(), _dir: None }
    }

    /// Whether this is Postgres.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

/// A config for tests: the test secret, the given database, port 0.
pub fn test_config(db: &TestDb) -> Config {
    let mut config = Config { database_url: db.url.clone(), ..Config::default() };
    config.auth.hs256_secret = Some(TEST_SECRET.to_owned().into());
    config.http.port = 0;
    config.outbox.poll_interval_ms = 20;
    config
}

/// The permissions and default grants of `subgraphs`.
pub fn catalog_of<'a>(subgraphs: impl IntoIterator<Item = &'a dyn AnySubgraph>) -> Catalog {
    subgraphs.into_iter().fold(Catalog::default(), |catalog, s| s.declare(catalog))
}

/// An app served on a random port with its runtime.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its runtime (database, RBAC, bus).
    pub kit: Kit,
    /// HTTP client with keep-alive.
    pub http: reqwest::Client,
    _db: TestDb,
}

impl TestApp {
    /// Starts `make_app` over a fresh database with the default test config.
    pub async fn start(make_app: impl FnOnce(&Kit) -> Router) -> anyhow::Result<Self> {
        Self::start_with(|_| {}, make_app).await
    }

    /// Like [`TestApp::start`], letting the test adjust the config first.
    pub async fn start_with(
        adjust: impl FnOnce(&mut Config),
        make_app: impl FnOnce(&Kit) -> Router,
    ) -> anyhow::Result<Self> {
        Self::launch(TestDb::new().await?, Catalog::default(), adjust, make_app).await
    }

    /// Like [`TestApp::start`], on Postgres whatever `TEST_DATABASE_URL`
    /// says (for what SQLite lacks, such as row-level security).
    pub async fn start_on_postgres(make_app: impl FnOnce(&Kit) -> Router) -> anyhow::Result<Self> {
        Self::launch(TestDb::postgres().await?, Catalog::default(), |_| {}, make_app).await
    }

    /// Serves `subgraph` over a fresh database; tenants provisioned in the
    /// test get the permissions of `subgraph` and of `others`.
    pub async fn serve(
        subgraph: &dyn AnySubgraph,
        others: &[&dyn AnySubgraph],
        adjust: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let catalog = catalog_of(std::iter::once(subgraph).chain(others.iter().copied()));
        Self::launch(TestDb::new().await?, catalog, adjust, |kit| subgraph.app(kit)).await
    }

    async fn launch(
        test_db: TestDb,
        catalog: Catalog,
        adjust: impl FnOnce(&mut Config),
        make_app: impl FnOnce(&Kit) -> Router,
    ) -> anyhow::Result<Self> {
        let mut config = test_config(&test_db);
        adjust(&mut config);
        let conn = db::connect_and_migrate(&config.database_url).await?;
        let bus = std::sync::Arc::new(crate::bus::InProcessBus::default());
        let kit = Kit::from_parts(config, catalog, conn, bus);
        let app = make_app(&kit);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        Ok(Self { addr, kit, http: auth::http_client(), _db: test_db })
    }

    /// The GraphQL endpoint URL.
    pub fn url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// A valid token for `user` in `tenant` with `roles`.
    pub fn token(&self, tenant: Uuid, user: Uuid, roles: &[&str]) -> String {
        let claims = auth::claims_for(&self.kit.config.auth, tenant, user, roles, 3600);
        auth::mint_hs256(TEST_SECRET, &claims).unwrap_or_default()
    }

    /// A platform admin token (in a tenant of its own).
    pub fn platform_token(&self) -> String {
        self.token(Uuid::now_v7(), Uuid::now_v7(), &[backbone_schema::roles::PLATFORM_ADMIN])
    }

    /// Posts a GraphQL request with an optional bearer token; returns the
    /// JSON body whatever the status.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut req = self.http.post(self.url());
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        self.send(req, query, variables).await
    }

    /// Posts a query (no variables) with one extra header, e.g.
    /// `x-api-key`.
    pub async fn gql_with_header(&self, name: &str, value: &str, query: &str) -> anyhow::Result<Value> {
        self.send(self.http.post(self.url()).header(name, value), query, Value::Null).await
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        query: &str,
        variables: Value,
    ) -> anyhow::Result<Value> {
        Ok(req.json(&json!({"query": query, "variables": variables})).send().await?.json().await?)
    }
}

/// The `extensions.code` of every error in a GraphQL response.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errs| errs.iter().filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Asserts a response has no errors and returns its `data`.
pub fn data(response: Value) -> Value {
    assert!(response.get("errors").is_none_or(Value::is_null), "unexpected errors: {response:#}");
    response["data"].clone()
}

pub mod card;
pub mod openai;
pub mod s3;
