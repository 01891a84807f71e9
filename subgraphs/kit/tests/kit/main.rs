//! Integration tests of the subgraph runtime: the outbox relay, the audit
//! chain under concurrency, the in-process, Redis and NATS buses, consumers and
//! the HTTP edges, and the row isolation of pooled connections.

mod audit_chain;
mod buses;
mod consumer;
mod edges;
mod in_process_bus;
mod isolation;
mod outbox;
mod quota;

/// An event of type `kind` for a fresh tenant, with `payload`.
fn envelope(kind: &str, payload: serde_json::Value) -> backbone_schema::EventEnvelope {
    backbone_schema::EventEnvelope {
        id: uuid::Uuid::now_v7(),
        event_type: kind.into(),
        tenant_id: uuid::Uuid::now_v7(),
        occurred_at: chrono::Utc::now(),
        actor: None,
        payload,
    }
}
