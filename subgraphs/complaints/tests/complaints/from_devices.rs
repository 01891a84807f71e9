//! Complaints recorded on devices: a `sync.complaint.filed` event is
//! filed once per event id, however often the bus delivers it.

use backbone_entities::complaints::complaint;
use backbone_schema::EventEnvelope;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use subgraph_complaints::domain::from_devices;
use uuid::Uuid;

use crate::support::Desk;

fn filed(desk: &Desk, payload: serde_json::Value) -> EventEnvelope {
    EventEnvelope {
        id: Uuid::now_v7(),
        event_type: from_devices::EVENT.into(),
        tenant_id: desk.tenant,
        occurred_at: Utc::now(),
        actor: Some(desk.user("clinician")),
        payload: json!({
            "syncEventId": Uuid::now_v7(), "recordedBy": desk.user("clinician"),
            "subjectId": desk.user("patient"), "type": "complaint.filed", "payload": payload,
        }),
    }
}

#[tokio::test]
async fn a_complaint_from_a_device_is_filed_once_per_event() {
    let desk = Desk::start().await;
    let db = &desk.app.kit.db;
    let event = filed(
        &desk,
        json!({"category": "billing", "priority": "high", "subject": "Charged twice", "description": "At the camp on Monday"}),
    );
    for _ in 0..3 {
        from_devices::follow(db, &event).await.expect("filed");
    }
    let rows = complaint::Entity::find()
        .filter(complaint::Column::TenantId.eq(desk.tenant))
        .all(db)
        .await
        .expect("complaints");
    assert_eq!(rows.len(), 1, "delivered three times, filed once");
    assert_eq!(rows[0].reporter_id, Some(desk.user("patient")), "the person it is about reports it");
    assert_eq!((rows[0].subject.as_str(), rows[0].priority), ("Charged twice", complaint::Priority::High));

    // Another event is another complaint; a payload that is no complaint
    // fails (the consumer parks it after its retries) and files nothing.
    from_devices::follow(
        db,
        &filed(&desk, json!({"category": "care", "subject": "Late", "description": "Two hours"})),
    )
    .await
    .expect("filed");
    let bad = from_devices::follow(db, &filed(&desk, json!({"subject": "no category"}))).await;
    assert!(bad.is_err(), "{bad:?}");
    let n = complaint::Entity::find()
        .filter(complaint::Column::TenantId.eq(desk.tenant))
        .all(db)
        .await
        .expect("all")
        .len();
    assert_eq!(n, 2);
}
