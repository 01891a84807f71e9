//! A notifications subgraph over a fresh database with a seeded tenant.

use std::collections::HashMap;

use backbone_schema::EventEnvelope;
use serde_json::{Value, json};
use subgraph_kit::{
    config::Config,
    testkit::{TestApp, data},
};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

pub struct Post {
    pub app: TestApp,
    pub tenant: Uuid,
    pub users: HashMap<&'static str, Uuid>,
}

impl Post {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let app =
            TestApp::serve(&subgraph_notifications::Notifications, &[&subgraph_tenants::Tenants], adjust)
                .await
                .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let users = users.into_iter().map(|u| (u.role, u.id)).collect();
        Self { app, tenant, users }
    }

    pub fn user(&self, role: &str) -> Uuid {
        self.users[role]
    }

    pub async fn gql(&self, role: &str, query: &str, variables: Value) -> Value {
        let token = self.app.token(self.tenant, self.user(role), &[role]);
        self.app.gql(Some(&token), query, variables).await.expect("request")
    }

    pub async fn ok(&self, role: &str, query: &str, variables: Value) -> Value {
        data(self.gql(role, query, variables).await)
    }

    /// A complaint event as the complaints subgraph would publish it.
    pub fn event(&self, kind: &str, assignee: &str, critical: bool) -> EventEnvelope {
        EventEnvelope {
            id: Uuid::now_v7(),
            event_type: kind.into(),
            tenant_id: self.tenant,
            occurred_at: chrono::Utc::now(),
            actor: None,
            payload: json!({
                "assigneeId": self.user(assignee),
                "critical": critical,
                "level": 2,
                "complaint": {"tracking_code": "C-TEST1-23456", "subject": "Billed twice", "priority": "high"},
            }),
        }
    }

    /// Hands `event` to the consumer; returns how many notifications it made.
    pub async fn handle(&self, event: &EventEnvelope) -> usize {
        subgraph_notifications::domain::inbox::handle(&self.app.kit.db, event).await.expect("handle")
    }

    pub async fn unread(&self, role: &str) -> i64 {
        self.ok(role, "{ unreadNotificationCount }", json!({})).await["unreadNotificationCount"]
            .as_i64()
            .expect("count")
    }

    /// Registers an endpoint for `role`; returns `(id, secret)`.
    pub async fn endpoint(&self, role: &str, channel: &str, target: &str) -> (String, String) {
        let r = self
            .ok(
                role,
                "mutation($c: Channel!, $t: String!) { registerNotificationEndpoint(channel: $c, target: $t) { secret endpoint { id } } }",
                json!({"c": channel, "t": target}),
            )
            .await;
        let e = &r["registerNotificationEndpoint"];
        (e["endpoint"]["id"].as_str().expect("id").into(), e["secret"].as_str().expect("secret").into())
    }
}
