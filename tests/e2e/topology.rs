//! The production topology as separate processes (issue 19): migrate,
//! every subgraph and two routers, each its own `backbone` process on one
//! Postgres and one Redis, configured only through the environment
//! (`backbone::stack`). A federated query through each router; a
//! subscription on one router fed by mutations sent to the other; and the
//! complaints subgraph killed mid-traffic: coded errors meanwhile, and once
//! it is back every event reaches the subscriber, none lost.

use std::{collections::BTreeSet, time::Duration};

use backbone::{
    stack::{Seeded, Stack, StackSpec},
    wsclient::WsClient,
};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use subgraph_kit::testkit::{TEST_SECRET, TestDb};

use crate::realtime::scene::redis_url;

const WATCH: &str = "subscription($id: ID!, $after: ID) { complaintStatusChanged(complaintId: $id, after: $after) { eventId to } }";
const CHANGE: &str =
    "mutation($id: ID!, $s: ComplaintStatus!) { changeComplaintStatus(id: $id, status: $s) { status } }";
/// Acknowledged once, then back and forth (each a legal transition).
fn statuses() -> impl Iterator<Item = &'static str> {
    std::iter::once("ACKNOWLEDGED").chain(["IN_PROGRESS", "ON_HOLD"].into_iter().cycle())
}

struct Client {
    http: reqwest::Client,
    seeded: Seeded,
}

impl Client {
    async fn gql(&self, url: &str, role: &str, query: &str, variables: Value) -> Value {
        let token = self.seeded.token(role).expect("seeded role");
        let res =
            self.http.post(url).bearer_auth(token).json(&json!({"query": query, "variables": variables}));
        res.send().await.expect("send").json().await.expect("json")
    }

    async fn ok(&self, url: &str, role: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(url, role, query, variables).await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"].clone()
    }

    async fn watch(&self, router: &str, complaint: &str, after: Option<&str>) -> WsClient {
        let ws_url = router.replacen("http", "ws", 1);
        let auth = json!({"Authorization": format!("Bearer {}", self.seeded.token("staff").expect("staff"))});
        let mut ws = WsClient::connect(&ws_url, "graphql-transport-ws", auth).await.expect("ws");
        ws.subscribe("w", WATCH, json!({"id": complaint, "after": after})).await.expect("subscribe");
        ws
    }
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_in_its_own_process_on_postgres_and_redis() {
    let env = [("BACKBONE_REDIS_CLAIM_IDLE_MS", "2000"), ("BACKBONE_OUTBOX__POLL_INTERVAL_MS", "20")];
    let mut stack = TestStack::start(2, &env).await;
    let seeded = stack.seed().expect("seed");
    let c = Client { http: subgraph_kit::auth::http_client(), seeded };
    let (one, two) = (stack.router(0), stack.router(1));

    // A team routes the complaint to staff, whose name comes from tenants.
    let team = c
        .ok(&one, "tenant_admin", "mutation { createComplaintTeam(name: \"Desk\") { id } }", json!({}))
        .await;
    let team = team["createComplaintTeam"]["id"].clone();
    let member = json!({"t": team, "u": c.seeded.user("staff")});
    c.ok(
        &two,
        "tenant_admin",
        "mutation($t: ID!, $u: ID!) { setComplaintTeamMember(teamId: $t, userId: $u) { active } }",
        member,
    )
    .await;
    c.ok(&one, "tenant_admin", "mutation($t: ID!) { addRoutingRule(teamId: $t) { id } }", json!({"t": team}))
        .await;
    let filed = c
        .ok(&two, "patient", "mutation { fileComplaint(input: {category: \"billing\", subject: \"Twice\", description: \"Charged twice\"}) { complaint { id } } }", json!({}))
        .await;
    let id = filed["fileComplaint"]["complaint"]["id"].as_str().expect("id").to_owned();

    // A federated query (complaints → tenants) through each router.
    for router in [&one, &two] {
        let seen = c
            .ok(
                router,
                "staff",
                "query($id: ID!) { complaint(id: $id) { status assignee { displayName } } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(seen["complaint"]["assignee"]["displayName"], "Demo staff", "{seen}");
    }

    // Watched on router one, changed through router two.
    let mut ws = c.watch(&one, &id, None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut received = BTreeSet::new();
    let mut last = None;
    let mut latencies = Vec::new();
    for (n, status) in statuses().take(12).enumerate() {
        let sent = std::time::Instant::now();
        c.ok(&two, "staff", CHANGE, json!({"id": id, "s": status})).await;
        let event = ws.next(Duration::from_secs(5)).await.unwrap_or_else(|e| panic!("event {n}: {e}"));
        latencies.push(sent.elapsed());
        let change = &event["payload"]["data"]["complaintStatusChanged"];
        assert_eq!(change["to"], status, "{event}");
        let event_id = change["eventId"].as_str().expect("event id").to_owned();
        received.insert(event_id.clone());
        last = Some(event_id);
    }
    latencies.sort();
    eprintln!(
        "across processes: median {:?}, slowest {:?}",
        latencies[latencies.len() / 2],
        latencies.last()
    );

    // Complaints dies mid-traffic: mutations meanwhile fail with a code,
    // and the subscription ends with one.
    stack.kill(subgraph_complaints::NAME);
    let refused = c.gql(&two, "staff", CHANGE, json!({"id": id, "s": "ON_HOLD"})).await;
    assert_eq!(codes(&refused), ["SUBGRAPH_UNAVAILABLE"], "{refused}");
    let ended = ws.next(Duration::from_secs(10)).await.expect("the subscription is told");
    assert_eq!(codes(&ended["payload"]), ["SUBGRAPH_UNAVAILABLE"], "{ended}");
    let restart =
        tokio::task::spawn_blocking(move || stack.restart(subgraph_complaints::NAME).map(|()| stack));
    let stack = restart.await.expect("join").expect("complaints back");

    // The client resumes after the last event it saw; every change made
    // from now on arrives.
    let mut ws = c.watch(&one, &id, last.as_deref()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut made = 0;
    // The last change before the kill was to IN_PROGRESS (12 changes).
    for status in ["ON_HOLD", "IN_PROGRESS"].into_iter().cycle().take(6) {
        let body = c.gql(&two, "staff", CHANGE, json!({"id": id, "s": status})).await;
        if body.get("errors").is_none() {
            made += 1;
        }
    }
    assert!(made > 0, "complaints answers again");

    // What the outbox holds is exactly what the subscriber got.
    let conn = Database::connect(&stack.db.url).await.expect("db");
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT id::text AS id FROM outbox WHERE event_type = 'complaint.status_changed'",
        ))
        .await
        .expect("outbox");
    let committed: BTreeSet<String> =
        rows.iter().map(|r| r.try_get::<String>("", "id").expect("id")).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while received.len() < committed.len() && tokio::time::Instant::now() < deadline {
        if let Ok(event) = ws.next(Duration::from_secs(1)).await
            && let Some(e) = event["payload"]["data"]["complaintStatusChanged"]["eventId"].as_str()
        {
            received.insert(e.to_owned());
        }
    }
    assert_eq!(received, committed, "every committed change reached the subscriber, none lost");
    conn.close().await.expect("close");
    stack.finish().await;
}

/// The process stack on a fresh Postgres database and Redis stream, for one
/// test (here and in `traces`); derefs to the [`Stack`].
pub(crate) struct TestStack {
    stack: Stack,
    pub db: TestDb,
    stream: String,
    _dir: tempfile::TempDir,
}

impl TestStack {
    /// `routers` routers, and `env` set on every process.
    pub async fn start(routers: usize, env: &[(&str, &str)]) -> Self {
        let db = TestDb::postgres().await.expect("postgres");
        let dir = tempfile::tempdir().expect("dir");
        let stream = format!("bb-test-{}", uuid::Uuid::new_v4().simple());
        let spec = StackSpec {
            binary: env!("CARGO_BIN_EXE_backbone").into(),
            database_url: db.url.clone(),
            redis_url: redis_url(),
            redis_stream: stream.clone(),
            routers,
            secret: TEST_SECRET.into(),
            dir: dir.path().into(),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        };
        let stack =
            tokio::task::spawn_blocking(move || Stack::start(spec)).await.expect("join").expect("stack");
        Self { stack, db, stream, _dir: dir }
    }

    /// Stops every process and deletes the stream.
    pub async fn finish(self) {
        let Self { stack, stream, .. } = self;
        drop(stack);
        let client = redis::Client::open(redis_url()).expect("redis");
        let mut redis = client.get_multiplexed_async_connection().await.expect("connect");
        let _: () = redis::cmd("DEL").arg(&stream).query_async(&mut redis).await.expect("DEL");
    }
}

impl std::ops::Deref for TestStack {
    type Target = Stack;
    fn deref(&self) -> &Stack {
        &self.stack
    }
}

impl std::ops::DerefMut for TestStack {
    fn deref_mut(&mut self) -> &mut Stack {
        &mut self.stack
    }
}
