//! A running graph with a seeded tenant, tokens per role and helpers to
//! talk to it over HTTP and WebSocket through the router.

use std::{collections::HashMap, time::Duration};
use subgraph_complaints::config::ComplaintsConfig;
use subgraph_consent::config::ConsentConfig;
use subgraph_notifications::config::NotificationsConfig;

use backbone::{
    dev::{DevGraph, DevOptions},
    seed, with_dev_auth,
    wsclient::WsClient,
};
use serde_json::{Value, json};
use subgraph_documents::config::{DocumentsConfig, StorageConfig};
use subgraph_kit::{
    auth,
    config::Config,
    testkit::{TEST_SECRET, TestDb, data, test_config},
};
use uuid::Uuid;

/// How long a pushed event may take to arrive.
pub const WITHIN: Duration = Duration::from_secs(5);

/// A graph and the people in it.
pub struct Scene {
    pub graph: DevGraph,
    pub tenant: Uuid,
    pub users: HashMap<&'static str, Uuid>,
    pub http: reqwest::Client,
    pub db: TestDb,
}

/// Test defaults: fast SLA engine and delivery retries.
pub fn fast(config: &mut Config) {
    config.realtime.keepalive_seconds = 1;
    let tables = &mut config.sections;
    tables.set(subgraph_complaints::NAME, ComplaintsConfig { sla_tick_ms: 100 });
    let fast_retries = |n: &mut NotificationsConfig| {
        n.retry_base_ms = 50;
        n.delivery_tick_ms = 50;
    };
    tables.update(subgraph_notifications::NAME, fast_retries).expect("notifications table");
    tables.update(subgraph_consent::NAME, |c: &mut ConsentConfig| c.job_tick_ms = 50).expect("consent table");
}

impl Scene {
    pub async fn start() -> Self {
        Self::start_with(fast, DevOptions::default()).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config), options: DevOptions) -> Self {
        let db = TestDb::new().await.expect("db");
        Self::on(db, adjust, options).await
    }

    /// A graph over an existing database (a second replica).
    pub async fn on(db: TestDb, adjust: impl FnOnce(&mut Config), options: DevOptions) -> Self {
        let mut config = with_dev_auth(test_config(&db));
        // Documents' files in memory unless a test says otherwise (not in the working tree).
        config
            .sections
            .update(subgraph_documents::NAME, |d: &mut DocumentsConfig| d.storage = StorageConfig::Memory)
            .expect("documents table");
        adjust(&mut config);
        let graph = DevGraph::start_with(config, options).await.expect("start graph");
        let (tenant, seeded) = seed::seed(&graph.kit).await.expect("seed");
        let users = seeded.iter().map(|u| (u.role, u.id)).collect();
        Self { graph, tenant, users, http: auth::http_client(), db }
    }

    pub fn user(&self, role: &str) -> Uuid {
        self.users[role]
    }

    pub fn token(&self, role: &'static str) -> String {
        token_for(&self.graph, self.tenant, self.user(role), role)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/graphql", self.graph.front)
    }

    /// A WebSocket to the router signed in as `role` (`None`: anonymous).
    pub async fn ws(&self, role: Option<&'static str>, protocol: &str) -> WsClient {
        let payload = match role {
            Some(r) => json!({"Authorization": format!("Bearer {}", self.token(r))}),
            None => json!({}),
        };
        WsClient::connect(&self.ws_url(), protocol, payload).await.expect("ws connect")
    }

    /// A GraphQL request through the router; returns the whole response.
    pub async fn gql(&self, role: Option<&'static str>, query: &str, variables: Value) -> Value {
        self.gql_from(role, None, query, variables).await
    }

    /// Like [`Scene::gql`], with the `X-Forwarded-For` an edge would set.
    pub async fn gql_from(
        &self,
        role: Option<&'static str>,
        ip: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        self.gql_with(role.map(|r| self.token(r)).as_deref(), ip, query, variables).await
    }

    /// A GraphQL request through the router with `token` (any token, not
    /// only a seeded role's) and an `X-Forwarded-For`, if given.
    pub async fn gql_with(
        &self,
        token: Option<&str>,
        ip: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        let mut req = self.http.post(format!("http://{}/graphql", self.graph.front));
        if let Some(ip) = ip {
            req = req.header("x-forwarded-for", ip);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    }

    /// Like [`Scene::gql`], returning `data` and failing on errors.
    pub async fn ok(&self, role: Option<&'static str>, query: &str, variables: Value) -> Value {
        data(self.gql(role, query, variables).await)
    }

    /// A team of `members`, and a routing rule sending `category` to it.
    pub async fn team(&self, name: &str, members: &[&'static str], category: Option<&str>) -> String {
        let team = self
            .ok(
                Some("tenant_admin"),
                "mutation($n: String!) { createComplaintTeam(name: $n) { id } }",
                json!({"n": name}),
            )
            .await;
        let team = team["createComplaintTeam"]["id"].as_str().expect("team id").to_owned();
        for m in members {
            self.ok(
                Some("tenant_admin"),
                "mutation($t: ID!, $u: ID!) { setComplaintTeamMember(teamId: $t, userId: $u) { active } }",
                json!({"t": team, "u": self.user(m)}),
            )
            .await;
        }
        if let Some(c) = category {
            self.ok(
                Some("tenant_admin"),
                "mutation($c: String, $t: ID!) { addRoutingRule(category: $c, teamId: $t) { id } }",
                json!({"c": c, "t": team}),
            )
            .await;
        }
        team
    }

    /// Files a complaint as `role`; returns its id.
    pub async fn file(&self, role: &'static str, category: &str, priority: &str) -> String {
        let filed = self
            .ok(
                Some(role),
                "mutation($i: FileComplaintInput!) { fileComplaint(input: $i) { trackingCode complaint { id } } }",
                json!({"i": {"category": category, "priority": priority, "subject": "Billed twice", "description": "I was charged twice in November."}}),
            )
            .await;
        filed["fileComplaint"]["complaint"]["id"].as_str().expect("complaint id").to_owned()
    }

    /// Moves a complaint to `status` as `role`.
    pub async fn set_status(&self, role: &'static str, id: &str, status: &str) -> Value {
        self.gql(
            Some(role),
            "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }",
            json!({"id": id, "s": status}),
        )
        .await
    }
}

pub fn token_for(graph: &DevGraph, tenant: Uuid, user: Uuid, role: &str) -> String {
    let claims = auth::claims_for(&graph.kit.config.auth, tenant, user, &[role], 600);
    auth::mint_hs256(TEST_SECRET, &claims).expect("token")
}

/// Waits until `check` holds, polling; panics with `what` after `within`.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The Redis the tests use: `TEST_REDIS_URL`, else the local default.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The NATS server (with JetStream) the tests use.
pub fn nats_url() -> String {
    std::env::var("TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}
