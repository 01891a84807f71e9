//! A sync subgraph over a fresh database with a seeded tenant whose
//! admin registered two event types (`vitals.recorded`, an append stream
//! about a patient; `profile.updated`, a last-writer-wins record), and
//! helpers to enroll devices and send batches.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use subgraph_kit::testkit::{TestApp, data};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

pub struct Field {
    pub app: TestApp,
    pub tenant: Uuid,
    pub users: HashMap<&'static str, Uuid>,
}

pub const BATCH: &str = "mutation($b: SyncBatchInput!) { syncEvents(batch: $b) {
    accepted duplicates rejected clockSkewMs
    acks { clientEventId deviceId status eventId serverTime code reason message quarantineId } } }";

impl Field {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// With `[sync]` settings changed by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut subgraph_sync::config::SyncConfig)) -> Self {
        let app = TestApp::serve(&subgraph_sync::SyncSubgraph, &[&subgraph_tenants::Tenants], |config| {
            config.sections.update(subgraph_sync::NAME, adjust).expect("sync settings");
        })
        .await
        .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let field = Self { app, tenant, users: users.into_iter().map(|u| (u.role, u.id)).collect() };
        field.register_types("tenant_admin").await;
        field
    }

    /// A second tenant on the same server: its id and users.
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

    async fn register_types(&self, role: &str) {
        let q = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
        let vitals = json!({
            "type": "vitals.recorded", "schemaVersion": 1, "stream": "APPEND", "subjectKey": "/patientId",
            "schema": {
                "type": "object", "required": ["patientId", "pulse"], "additionalProperties": false,
                "properties": {
                    "patientId": {"type": "string", "format": "uuid"},
                    "pulse": {"type": "integer", "minimum": 20, "maximum": 250},
                    "note": {"type": "string", "maxLength": 200}
                }
            }
        });
        let profile = json!({
            "type": "profile.updated", "schemaVersion": 1, "stream": "RECORD",
            "recordKey": "/profileId", "subjectKey": "/profileId",
            "schema": {
                "type": "object", "required": ["profileId", "phone"],
                "properties": {"profileId": {"type": "string"}, "phone": {"type": "string"}}
            }
        });
        for input in [vitals, profile] {
            self.ok(role, q, json!({"i": input})).await;
        }
    }

    /// Enrolls a device to the caller `role`; its id.
    pub async fn device(&self, role: &str) -> String {
        let q = "mutation { enrollSyncDevice(name: \"Field tablet\") { id } }";
        self.ok(role, q, json!({})).await["enrollSyncDevice"]["id"].as_str().expect("id").to_owned()
    }

    /// Lets `worker` record for `subject`.
    pub async fn assign(&self, worker: Uuid, subject: Uuid) {
        let q = "mutation($w: ID!, $s: ID!) { assignSyncSubject(workerId: $w, subjectId: $s) }";
        self.ok("tenant_admin", q, json!({"w": worker, "s": subject})).await;
    }

    /// Sends `events` as `role`; the whole answer.
    pub async fn send(&self, role: &str, events: Vec<Value>) -> Value {
        self.gql(role, BATCH, json!({"b": {"events": events}})).await
    }

    /// Sends `events` as `role`; the batch result.
    pub async fn sync(&self, role: &str, events: Vec<Value>) -> Value {
        data(self.send(role, events).await)["syncEvents"].clone()
    }

    /// Rows of a table, read as the platform.
    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let row = self
            .app
            .kit
            .db
            .query_one_raw(Statement::from_string(
                self.app.kit.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// A vitals event about `patient`.
pub fn vitals(device: &str, id: &str, patient: Uuid, pulse: i64) -> Value {
    event(device, id, "vitals.recorded", Utc::now(), json!({"patientId": patient, "pulse": pulse}))
}

/// An event of any type.
pub fn event(device: &str, id: &str, event_type: &str, at: DateTime<Utc>, payload: Value) -> Value {
    json!({
        "clientEventId": id, "deviceId": device, "type": event_type, "schemaVersion": 1,
        "clientTime": at.to_rfc3339(), "payload": payload,
    })
}

/// The acks of a batch result by client event id (the first, where an id
/// was sent twice).
pub fn acks(result: &Value) -> HashMap<String, Value> {
    let mut by_id = HashMap::new();
    for ack in result["acks"].as_array().expect("acks") {
        by_id.entry(ack["clientEventId"].as_str().expect("id").to_owned()).or_insert_with(|| ack.clone());
    }
    by_id
}
