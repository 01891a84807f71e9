//! The data contract: a person's synced events, records and quarantine
//! entries are exported and erased; a health worker's erasure takes their
//! devices and assignments and unlinks them from what they recorded about
//! others, which stays; retention purges old events.

use backbone_entities::sync::{assignment, device, event, quarantine, record};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use subgraph_kit::contract::{DataContract, Person, Purge, Subject};
use subgraph_sync::domain::data::SyncData;
use uuid::Uuid;

use crate::support::{Field, event, vitals};

async fn erase(f: &Field, user: Uuid) {
    let who = Person::new(Subject { tenant_id: f.tenant, user_id: user }, []);
    let txn = f.app.kit.db.begin().await.expect("txn");
    SyncData.erase(&txn, &who).await.expect("erase");
    subgraph_kit::db::commit(txn).await.expect("commit");
}

#[tokio::test]
async fn a_persons_synced_data_is_exported_and_erased_and_the_workers_unlinked() {
    let f = Field::start().await;
    let (worker, patient, me) = (f.user("clinician"), f.user("patient"), f.user("staff"));
    let device = f.device("clinician").await;
    f.assign(worker, patient).await;
    f.assign(worker, me).await;
    let profile = |id: &str, who: Uuid| {
        event(
            &device,
            id,
            "profile.updated",
            Utc::now(),
            json!({"profileId": who.to_string(), "phone": "+911"}),
        )
    };
    let result = f
        .sync(
            "clinician",
            vec![
                vitals(&device, "p-1", patient, 70),
                vitals(&device, "p-2", patient, 300),
                profile("p-3", patient),
                vitals(&device, "s-1", me, 66),
            ],
        )
        .await;
    assert_eq!((result["accepted"].as_i64(), result["rejected"].as_i64()), (Some(3), Some(1)), "{result}");

    let db = &f.app.kit.db;
    let who = Person::new(Subject { tenant_id: f.tenant, user_id: patient }, []);
    let exported = SyncData.export(db, &who).await.expect("export");
    assert_eq!(exported["syncedEvents"].as_array().map(Vec::len), Some(2), "{exported}");
    assert_eq!(exported["records"][0]["payload"]["phone"], "+911", "{exported}");
    assert_eq!(exported["quarantinedEvents"][0]["reason"], "SCHEMA_INVALID", "{exported}");
    let worker_export = SyncData
        .export(db, &Person::new(Subject { tenant_id: f.tenant, user_id: worker }, []))
        .await
        .expect("export");
    assert_eq!(worker_export["devices"].as_array().map(Vec::len), Some(1), "{worker_export}");
    assert_eq!(worker_export["syncedEvents"].as_array().map(Vec::len), Some(3), "what they recorded");

    erase(&f, patient).await;
    let left = event::Entity::find().all(db).await.expect("events");
    assert_eq!(left.len(), 1, "only the staff member's vitals stay");
    assert_eq!(left[0].subject_id, Some(me));
    assert_eq!(record::Entity::find().count(db).await.expect("records"), 0);
    assert_eq!(quarantine::Entity::find().count(db).await.expect("held"), 0);
    assert!(
        SyncData.export(db, &who).await.expect("export")["syncedEvents"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    // The worker goes: their device and assignments; the staff member's
    // vitals stay, no longer naming who recorded them.
    erase(&f, worker).await;
    assert_eq!(device::Entity::find().count(db).await.expect("devices"), 0);
    assert_eq!(assignment::Entity::find().count(db).await.expect("assignments"), 0);
    let kept = event::Entity::find().all(db).await.expect("events");
    assert_eq!(kept.len(), 1);
    assert_ne!(kept[0].recorded_by, worker);
    assert_eq!(
        event::Entity::find().filter(event::Column::RecordedBy.eq(worker)).count(db).await.expect("n"),
        0
    );
}

#[tokio::test]
async fn retention_purges_old_events_except_about_people_on_hold() {
    let f = Field::start().await;
    let device = f.device("clinician").await;
    let (worker, patient, me) = (f.user("clinician"), f.user("patient"), f.user("staff"));
    f.assign(worker, patient).await;
    f.assign(worker, me).await;
    f.sync("clinician", vec![vitals(&device, "r-1", patient, 70), vitals(&device, "r-2", me, 70)]).await;
    let purge = |dry_run, exceptions: Vec<Uuid>| Purge {
        tenant_id: f.tenant,
        data_type: "sync_events".into(),
        before: Utc::now() + Duration::seconds(1),
        exceptions,
        dry_run,
    };
    let db = &f.app.kit.db;
    assert_eq!(SyncData.purge(db, &purge(true, vec![patient])).await.expect("dry run"), 1);
    assert_eq!(event::Entity::find().count(db).await.expect("n"), 2, "a dry run deletes nothing");
    assert_eq!(SyncData.purge(db, &purge(false, vec![patient])).await.expect("purge"), 1);
    let left = event::Entity::find().all(db).await.expect("events");
    assert_eq!(left.iter().map(|e| e.subject_id).collect::<Vec<_>>(), [Some(patient)], "on hold: kept");
}

#[tokio::test]
async fn an_admins_erasure_unlinks_them_from_the_types_assignments_devices_and_resolutions_they_made() {
    use backbone_entities::sync::event_type;
    let f = Field::start().await;
    let (admin, worker, patient) = (f.user("tenant_admin"), f.user("clinician"), f.user("patient"));
    f.assign(worker, patient).await;
    let q = "mutation($u: ID!) { enrollSyncDevice(name: \"Issued tablet\", userId: $u) { id } }";
    let device = f.ok("tenant_admin", q, json!({"u": worker})).await["enrollSyncDevice"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let held = f.sync("clinician", vec![vitals(&device, "h-1", patient, 999)]).await;
    let discard = "mutation($id: ID!) { discardQuarantinedEvent(id: $id) { status } }";
    f.ok("tenant_admin", discard, json!({"id": held["acks"][0]["quarantineId"]})).await;

    erase(&f, admin).await;
    let db = &f.app.kit.db;
    assert!(
        event_type::Entity::find().all(db).await.expect("types").iter().all(|t| t.registered_by != admin)
    );
    assert!(assignment::Entity::find().all(db).await.expect("rows").iter().all(|a| a.assigned_by != admin));
    let devices = device::Entity::find().all(db).await.expect("devices");
    assert_eq!(devices.len(), 1, "the worker's device stays");
    assert_ne!(devices[0].enrolled_by, admin);
    let resolved = quarantine::Entity::find().all(db).await.expect("held");
    assert_eq!(resolved.len(), 1, "the patient's entry stays");
    assert_eq!(resolved[0].resolved_by, None);
}
