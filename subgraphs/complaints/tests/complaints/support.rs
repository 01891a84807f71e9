//! A complaints subgraph over a fresh database with a seeded tenant.

use std::collections::HashMap;

use serde_json::Value;
use subgraph_kit::testkit::{TestApp, data};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

pub struct Desk {
    pub app: TestApp,
    pub tenant: Uuid,
    pub users: HashMap<&'static str, Uuid>,
}

impl Desk {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut subgraph_kit::config::Config)) -> Self {
        let app = TestApp::serve(&subgraph_complaints::Complaints, &[&subgraph_tenants::Tenants], adjust)
            .await
            .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let users = users.into_iter().map(|u| (u.role, u.id)).collect();
        Self { app, tenant, users }
    }

    pub fn user(&self, role: &str) -> Uuid {
        self.users[role]
    }

    pub fn token(&self, role: &str) -> String {
        self.app.token(self.tenant, self.user(role), &[role])
    }

    pub async fn gql(&self, role: Option<&str>, query: &str, variables: Value) -> Value {
        let token = role.map(|r| self.token(r));
        self.app.gql(token.as_deref(), query, variables).await.expect("request")
    }

    pub async fn ok(&self, role: Option<&str>, query: &str, variables: Value) -> Value {
        data(self.gql(role, query, variables).await)
    }

    /// A team with `members`; returns its id.
    pub async fn team(&self, name: &str, members: &[&str]) -> String {
        let t = self
            .ok(
                Some("tenant_admin"),
                "mutation($n: String!) { createComplaintTeam(name: $n) { id } }",
                serde_json::json!({"n": name}),
            )
            .await;
        let id = t["createComplaintTeam"]["id"].as_str().expect("id").to_owned();
        for m in members {
            self.set_member(&id, self.user(m), true).await;
        }
        id
    }

    pub async fn set_member(&self, team: &str, user: Uuid, active: bool) {
        self.ok(
            Some("tenant_admin"),
            "mutation($t: ID!, $u: ID!, $a: Boolean!) { setComplaintTeamMember(teamId: $t, userId: $u, active: $a) { active } }",
            serde_json::json!({"t": team, "u": user, "a": active}),
        )
        .await;
    }

    /// Files as `role` (`None`: anonymously); returns `fileComplaint`.
    pub async fn file(&self, role: Option<&str>, input: Value) -> Value {
        let q = "mutation($i: FileComplaintInput!) { fileComplaint(input: $i) { trackingCode status complaint { id status assignee { id } teamId } } }";
        self.gql(role, q, serde_json::json!({"i": input})).await
    }
}

pub fn complaint(category: &str, priority: &str) -> Value {
    serde_json::json!({"category": category, "priority": priority, "subject": "Waited four hours", "description": "Nobody told me the clinic was running late."})
}
