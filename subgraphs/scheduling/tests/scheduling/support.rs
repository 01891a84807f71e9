//! A scheduling subgraph over a fresh database with a seeded tenant, and
//! helpers to set up a clinic in it.

use std::collections::HashMap;

use serde_json::{Value, json};
use subgraph_kit::testkit::{TestApp, data, error_codes};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

pub struct Clinic {
    pub app: TestApp,
    pub tenant: Uuid,
    pub users: HashMap<&'static str, Uuid>,
}

/// Every day of the week from `start` to `end`.
pub fn every_day(start: &str, end: &str) -> Value {
    json!((1..=7).map(|d| json!({"day": d, "start": start, "end": end})).collect::<Vec<_>>())
}

impl Clinic {
    pub async fn start() -> Self {
        let app = TestApp::serve(&subgraph_scheduling::Scheduling, &[&subgraph_tenants::Tenants], |_| {})
            .await
            .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let users = users.into_iter().map(|u| (u.role, u.id)).collect();
        Self { app, tenant, users }
    }

    /// A second tenant on the same server, with its own users.
    pub async fn other_tenant(&self) -> (Uuid, HashMap<&'static str, Uuid>) {
        let (tenant, users) = demo::seed_tenant(&self.app.kit, "Other Clinic", "other").await.expect("seed");
        (tenant, users.into_iter().map(|u| (u.role, u.id)).collect())
    }

    pub fn user(&self, role: &str) -> Uuid {
        self.users[role]
    }

    pub fn token(&self, role: &str) -> String {
        self.app.token(self.tenant, self.user(role), &[role])
    }

    pub async fn gql(&self, role: &str, query: &str, variables: Value) -> Value {
        self.app.gql(Some(&self.token(role)), query, variables).await.expect("request")
    }

    pub async fn ok(&self, role: &str, query: &str, variables: Value) -> Value {
        data(self.gql(role, query, variables).await)
    }

    /// A resource; returns its id.
    pub async fn resource(&self, kind: &str, category: &str, name: &str, tz: &str, hours: Value) -> String {
        let user = (kind == "PERSON").then(|| self.user("clinician"));
        let q = "mutation($i: CreateResourceInput!) { createResource(input: $i) { id } }";
        let input = json!({"kind": kind, "category": category, "name": name, "userId": user, "timeZone": tz, "weeklyHours": hours});
        self.ok("tenant_admin", q, json!({"i": input})).await["createResource"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// A service over `requirements`; returns its id.
    pub async fn service(&self, extra: Value, requirements: Value) -> String {
        let mut input = json!({"name": "Consultation", "durationMinutes": 30, "bookingWindowDays": 730, "requirements": requirements});
        for (k, v) in extra.as_object().expect("object") {
            input[k] = v.clone();
        }
        let q = "mutation($i: CreateServiceInput!) { createService(input: $i) { id } }";
        self.ok("tenant_admin", q, json!({"i": input})).await["createService"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// A clinician (the clinician user) and an exam room, both open every
    /// day 00:00–24:00 UTC, and a 30-minute service needing both.
    pub async fn clinician_and_room(&self) -> (String, String, String) {
        let clinician =
            self.resource("PERSON", "clinician", "Dr. Rao", "UTC", every_day("00:00", "24:00")).await;
        let room = self.resource("ROOM", "exam_room", "Room 1", "UTC", every_day("00:00", "24:00")).await;
        let service = self
            .service(
                json!({}),
                json!([{"kind": "PERSON", "category": "clinician"}, {"kind": "ROOM", "category": "exam_room"}]),
            )
            .await;
        (clinician, room, service)
    }

    /// Free slot starts of `service` between `from` and `to`, shown in `tz`.
    pub async fn slots(&self, role: &str, service: &str, from: &str, to: &str, tz: &str) -> Vec<Value> {
        let q = "query($s: ID!, $f: DateTime!, $t: DateTime!, $z: String!) { freeSlots(serviceId: $s, from: $f, to: $t, timeZone: $z, first: 100) { edges { node { startsAt localStart resources { id name } } } } }";
        let d = self.ok(role, q, json!({"s": service, "f": from, "t": to, "z": tz})).await;
        d["freeSlots"]["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect()
    }

    /// Books as `role` with `input` (serviceId, startsAt, … ); returns the
    /// whole response.
    pub async fn book(&self, role: &str, input: Value) -> Value {
        let q = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { id status startsAt localStart resources { id } patient { id } } }";
        self.gql(role, q, json!({"i": input})).await
    }
}

/// The `extensions.reason` of every error.
pub fn reasons(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errs| {
            errs.iter().filter_map(|e| e["extensions"]["reason"].as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

/// The single error code of a response.
pub fn code(response: &Value) -> String {
    error_codes(response).join(",")
}

/// A start time `days` from now at 10:00 UTC, RFC 3339.
pub fn day_at_ten(days: i64) -> String {
    let d = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{d}T10:00:00Z")
}
