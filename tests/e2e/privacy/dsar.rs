//! DSAR and retention across every subgraph: access packages, verified
//! erasure checked by direct database queries, retention with a dry run.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use subgraph_kit::testkit::openai::FakeProvider;

use super::{
    memory::remember,
    support::{complete, consent, template, with_provider},
};
use crate::realtime::scene::{Scene, WITHIN, eventually};

const REQUESTS: &str = "{ dsarRequests { nodes { id kind status result error downloadUrl } } }";

async fn finished(scene: &Scene, role: &'static str) -> Value {
    eventually(WITHIN, "the DSAR job", || async {
        let last = scene.ok(Some(role), REQUESTS, json!({})).await["dsarRequests"]["nodes"][0].clone();
        last["status"] == "COMPLETED" || last["status"] == "FAILED"
    })
    .await;
    scene.ok(Some(role), REQUESTS, json!({})).await["dsarRequests"]["nodes"][0].clone()
}

/// Leaves a trace of the patient in every subgraph.
async fn live_a_little(scene: &Scene) {
    consent(scene, "patient", "ai_processing", true).await;
    consent(scene, "patient", "memory", true).await;
    remember(scene, "patient", "I take metformin every morning", "memory.health").await;
    template(scene, "triage", 50).await;
    let r = complete(scene, "patient", "triage", "Should I take it with food?").await;
    assert!(r["data"]["complete"]["text"].is_string(), "{r}");
    scene.team("Desk", &["staff"], Some("billing")).await;
    scene.file("patient", "billing", "NORMAL").await;
    // Signed out, with their address (in another case) as the contact.
    scene
        .ok(
            None,
            "mutation($i: FileComplaintInput!) { fileComplaint(input: $i) { trackingCode } }",
            json!({"i": {"tenantId": scene.tenant, "category": "billing", "subject": "Anonymous note",
                "description": "Asked to be called back about the double charge.",
                "contact": "Call Patient@Demo.Backbone.dev please"}}),
        )
        .await;
    scene
        .ok(
            Some("patient"),
            "mutation { setNotificationPreference(category: \"complaints\", channel: EMAIL, enabled: false) { enabled } }",
            json!({}),
        )
        .await;
    sync_from_a_phone(scene).await;
}

/// The patient's phone uploads a reading about them and one that fails
/// its schema (held in the quarantine).
async fn sync_from_a_phone(scene: &Scene) {
    let register = "mutation($i: RegisterSyncEventTypeInput!) { registerSyncEventType(input: $i) { id } }";
    let schema = json!({"type": "object", "required": ["patientId", "pulse"],
        "properties": {"patientId": {"type": "string"}, "pulse": {"type": "integer", "maximum": 250}}});
    let input = json!({"type": "vitals.recorded", "schemaVersion": 1, "stream": "APPEND",
        "subjectKey": "/patientId", "schema": schema});
    scene.ok(Some("tenant_admin"), register, json!({"i": input})).await;
    let enrolled = scene
        .ok(Some("patient"), "mutation { enrollSyncDevice(name: \"My phone\") { id } }", json!({}))
        .await;
    let device = enrolled["enrollSyncDevice"]["id"].as_str().expect("device");
    let patient = scene.user("patient");
    let reading = |id: &str, pulse: i64| {
        json!({"clientEventId": id, "deviceId": device, "type": "vitals.recorded",
        "schemaVersion": 1, "clientTime": chrono::Utc::now().to_rfc3339(),
        "payload": {"patientId": patient, "pulse": pulse}})
    };
    let q = "mutation($b: SyncBatchInput!) { syncEvents(batch: $b) { accepted rejected } }";
    let sent = scene
        .ok(Some("patient"), q, json!({"b": {"events": [reading("r-1", 72), reading("r-2", 900)]}}))
        .await;
    assert_eq!(sent["syncEvents"], json!({"accepted": 1, "rejected": 1}), "{sent}");
}

/// Rows naming `user` in every table that holds people's data.
async fn rows_of(scene: &Scene, user: uuid::Uuid) -> Vec<(String, i64)> {
    let db = &scene.graph.kit.db;
    let checks = [
        ("users", "id"),
        ("user_roles", "user_id"),
        ("user_roles", "granted_by"),
        ("api_keys", "created_by"),
        ("complaints", "reporter_id"),
        ("complaints", "assignee_id"),
        ("complaint_timeline", "author_id"),
        ("complaint_team_members", "user_id"),
        ("notifications", "user_id"),
        ("notification_preferences", "user_id"),
        ("notification_settings", "user_id"),
        ("notification_endpoints", "user_id"),
        ("consent_records", "user_id"),
        ("consent_records", "recorded_by"),
        ("dsar_requests", "subject_id"),
        ("dsar_requests", "requested_by"),
        ("ai_requests", "user_id"),
        ("ai_prompt_templates", "created_by"),
        ("memories", "user_id"),
        ("memory_generations", "user_id"),
        ("sync_devices", "user_id"),
        ("sync_events", "subject_id"),
        ("sync_events", "recorded_by"),
        ("sync_quarantine", "recorded_by"),
        ("outbox", "actor"),
    ];
    let mut out = Vec::new();
    for (table, column) in checks {
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1");
        let backend = db.get_database_backend();
        let sql = if backend == sea_orm::DatabaseBackend::Sqlite { sql.replace("$1", "?") } else { sql };
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [user.into()]))
            .await
            .expect("count")
            .expect("row");
        let n: i64 = row.try_get("", "n").expect("n");
        out.push((format!("{table}.{column}"), n));
    }
    out
}

/// A parked event of the scene's tenant whose payload names `person`.
async fn park_event_about(scene: &Scene, person: uuid::Uuid) {
    use backbone_entities::platform::dead_event;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let envelope = json!({"id": uuid::Uuid::now_v7(), "type": "complaint.commented", "tenant_id": scene.tenant,
        "payload": {"reporterId": person}});
    dead_event::ActiveModel {
        consumer: Set("notifications".into()),
        event_id: Set(uuid::Uuid::now_v7()),
        tenant_id: Set(scene.tenant),
        event_type: Set("complaint.commented".into()),
        envelope: Set(envelope.to_string()),
        error: Set("the template failed".into()),
        attempts: Set(8),
        parked_at: Set(chrono::Utc::now()),
    }
    .insert(&scene.graph.kit.db)
    .await
    .expect("park");
}

/// Notifications of anyone that carry `person`'s id or their complaint's
/// text (a staff member's "complaint assigned" item).
async fn notifications_about(scene: &Scene, person: uuid::Uuid) -> i64 {
    let db = &scene.graph.kit.db;
    let sql = format!(
        "SELECT COUNT(*) AS n FROM notifications WHERE data LIKE '%{person}%' \
         OR title LIKE '%Billed twice%' OR body LIKE '%Billed twice%' OR data LIKE '%charged twice%'"
    );
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("row");
    row.try_get("", "n").expect("n")
}

/// Rows of any table holding `needle` in a column where free text or
/// personal values end up (audit data, event payloads, notification texts,
/// DSAR details, complaint contacts).
async fn text_rows_with(scene: &Scene, needle: &str) -> Vec<(String, i64)> {
    let db = &scene.graph.kit.db;
    let columns = [
        ("audit_events", "data"),
        ("outbox", "payload"),
        ("dead_events", "envelope"),
        ("notifications", "data"),
        ("notifications", "body"),
        ("dsar_requests", "details"),
        ("complaints", "reporter_contact"),
    ];
    let needle = needle.to_lowercase();
    let mut out = Vec::new();
    for (table, column) in columns {
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE LOWER({column}) LIKE '%{needle}%'");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("count")
            .expect("row");
        let n: i64 = row.try_get("", "n").expect("n");
        if n > 0 {
            out.push((format!("{table}.{column}"), n));
        }
    }
    out
}

/// The patient's own words, as `live_a_little` wrote them.
const WORDS: [&str; 3] = [
    "I take metformin every morning",
    "I was charged twice in November",
    "Asked to be called back about the double charge",
];

/// Whether the SQLite database file or its write-ahead log holds `words`
/// anywhere, free pages included (false on Postgres).
fn sqlite_holds(scene: &Scene, words: &str) -> bool {
    let Some(path) = scene.db.url.strip_prefix("sqlite://").and_then(|u| u.split('?').next()) else {
        return false;
    };
    [path.to_owned(), format!("{path}-wal")].iter().any(|file| {
        std::fs::read(file).unwrap_or_default().windows(words.len()).any(|w| w == words.as_bytes())
    })
}

#[tokio::test]
async fn erasure_leaves_no_row_of_the_person_in_any_subgraph() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    live_a_little(&scene).await;
    let patient = scene.user("patient");
    let before: i64 = rows_of(&scene, patient).await.iter().map(|(_, n)| n).sum();
    assert!(before >= 8, "the patient left traces: {:?}", rows_of(&scene, patient).await);
    if scene.db.url.starts_with("sqlite") {
        assert!(WORDS.iter().all(|w| sqlite_holds(&scene, w)), "the words are in the file before");
    }
    let before_text = text_rows_with(&scene, &patient.to_string()).await;
    assert!(!before_text.is_empty(), "their id was in free text before: {before_text:?}");

    eventually(WITHIN, "the staff member hears of the complaint", || async {
        notifications_about(&scene, patient).await > 0
    })
    .await;

    // An event about them that a consumer gave up on and parked.
    park_event_about(&scene, patient).await;
    assert!(
        text_rows_with(&scene, &patient.to_string()).await.iter().any(|(t, _)| t == "dead_events.envelope")
    );

    scene.ok(Some("patient"), "mutation { requestDsar(kind: ERASURE) { status } }", json!({})).await;
    let done = finished(&scene, "tenant_admin").await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let result: Value = serde_json::from_str(done["result"].as_str().expect("result")).expect("json");
    assert_eq!(result["verified"], true);
    assert!(result["erased"]["memory"]["memories"].as_u64() == Some(1), "{result}");

    let left: Vec<_> = rows_of(&scene, patient).await.into_iter().filter(|(_, n)| *n > 0).collect();
    assert!(left.is_empty(), "rows of the erased person remain: {left:?}");
    assert_eq!(
        notifications_about(&scene, patient).await,
        0,
        "other people's notifications about them remain"
    );
    // On SQLite, not even the file's free pages (or its write-ahead log)
    // keep their words.
    for words in WORDS {
        assert!(!sqlite_holds(&scene, words), "the SQLite files still hold \"{words}\"");
    }
    // Nor does the complaint filed signed out with their address.
    let db = &scene.graph.kit.db;
    let sql = format!("SELECT COUNT(*) AS n FROM complaints WHERE description LIKE '%{}%'", WORDS[2]);
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("count");
    let anonymous: i64 = row.expect("row").try_get("", "n").expect("n");
    assert_eq!(anonymous, 0, "the anonymous complaint with their address as contact remains");
    // Nor do their email address or id live on in audit data, event
    // payloads or other free text.
    for needle in ["patient@demo.backbone.dev".to_owned(), patient.to_string()] {
        let left = text_rows_with(&scene, &needle).await;
        assert!(left.is_empty(), "{needle} remains in {left:?}");
    }
    // Their memories are gone for recall too (their account is gone, so they
    // cannot even ask).
    let gone =
        scene.gql(Some("patient"), "{ recall(query: \"metformin\") { hits { score } } }", json!({})).await;
    assert!(gone["data"].is_null() || gone["data"]["recall"]["hits"] == json!([]), "{gone}");
    // The audit log says who asked and what happened.
    let audit =
        scene.ok(Some("auditor"), "{ auditEvents(first: 100) { nodes { eventType } } }", json!({})).await;
    let types = audit.to_string();
    assert!(types.contains("dsar.requested") && types.contains("dsar.completed"), "{audit}");
}

#[tokio::test]
async fn access_builds_an_expiring_package_of_everything() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    live_a_little(&scene).await;

    scene.ok(Some("patient"), "mutation { requestDsar(kind: ACCESS) { status } }", json!({})).await;
    let done = finished(&scene, "patient").await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let url = done["downloadUrl"].as_str().expect("link").to_owned();
    // The link is the person's (or whoever asked for it): an auditor who
    // reads every request of the tenant does not get working links.
    let audited = scene.ok(Some("auditor"), REQUESTS, json!({})).await;
    let requests = audited["dsarRequests"]["nodes"].as_array().expect("requests");
    assert!(!requests.is_empty() && requests.iter().all(|r| r["downloadUrl"].is_null()), "{audited}");
    let package: Value = scene.http.get(&url).send().await.expect("get").json().await.expect("json");
    assert_eq!(package["format"], "backbone-dsar/1");
    let text = package["data"].to_string();
    for needle in ["metformin", "ai_processing", "Billed twice", "patient@"] {
        assert!(text.contains(needle), "{needle} missing from the package: {package}");
    }
    // Another tenant's person, or a guessed link, gets nothing.
    let guessed = scene.http.get(url.replace('a', "b")).send().await.expect("get");
    assert_eq!(guessed.status(), 404);
    // An expired link stops working.
    scene
        .graph
        .kit
        .db
        .execute_unprepared("UPDATE dsar_requests SET package_expires_at = '2020-01-01 00:00:00+00:00'")
        .await
        .expect("expire");
    assert_eq!(scene.http.get(&url).send().await.expect("get").status(), 404);

    // Rectification waits for staff; a patient may not close it.
    let r = scene
        .ok(
            Some("patient"),
            "mutation { requestDsar(kind: RECTIFICATION, details: \"My name is misspelled\") { id status } }",
            json!({}),
        )
        .await;
    let id = r["requestDsar"]["id"].clone();
    let denied = scene
        .gql(
            Some("patient"),
            "mutation($id: ID!) { completeRectification(id: $id, note: \"x\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(super::support::code(&denied), "FORBIDDEN");
    let closed = scene
        .ok(
            Some("tenant_admin"),
            "mutation($id: ID!) { completeRectification(id: $id, note: \"Name fixed\") { status } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(closed["completeRectification"]["status"], "COMPLETED");
}

#[tokio::test]
async fn retention_purges_old_rows_after_a_dry_run_and_spares_legal_holds() {
    let provider = FakeProvider::start().await.expect("provider");
    let scene = with_provider(&provider).await;
    template(&scene, "triage", 50).await;
    for role in ["patient", "clinician"] {
        consent(&scene, role, "ai_processing", true).await;
        complete(&scene, role, "triage", "hello").await;
        complete(&scene, role, "triage", "again").await;
    }
    let db = &scene.graph.kit.db;
    db.execute_unprepared("UPDATE ai_requests SET created_at = '2020-01-01 00:00:00+00:00'")
        .await
        .expect("age");

    let bad = scene
        .gql(
            Some("tenant_admin"),
            "mutation { setRetentionRule(dataType: \"nonsense\", maxAgeDays: 30) { dataType } }",
            json!({}),
        )
        .await;
    assert_eq!(super::support::code(&bad), "BAD_USER_INPUT", "{bad}");
    scene
        .ok(
            Some("tenant_admin"),
            "mutation($hold: [ID!]!) { setRetentionRule(dataType: \"ai_requests\", maxAgeDays: 30, exceptions: $hold) { dataType } }",
            json!({"hold": [scene.user("clinician")]}),
        )
        .await;
    let report =
        scene.ok(Some("tenant_admin"), "{ retentionReport { service dataType count } }", json!({})).await;
    assert_eq!(report["retentionReport"], json!([{"service": "ai", "dataType": "ai_requests", "count": 2}]));
    assert_eq!(logged(&scene).await, 4);
    let applied = scene.ok(Some("tenant_admin"), "mutation { applyRetention { count } }", json!({})).await;
    assert_eq!(applied["applyRetention"][0]["count"], 2);
    assert_eq!(logged(&scene).await, 2);
    let patient_left = scene.ok(Some("patient"), "{ aiRequests { nodes { id } } }", json!({})).await;
    assert_eq!(patient_left["aiRequests"]["nodes"], json!([]), "the patient's old calls are gone");
    let kept = scene.ok(Some("clinician"), "{ aiRequests { nodes { id } } }", json!({})).await;
    assert_eq!(
        kept["aiRequests"]["nodes"].as_array().map(Vec::len),
        Some(2),
        "legal hold keeps the clinician's"
    );
}

async fn logged(scene: &Scene) -> i64 {
    let db = &scene.graph.kit.db;
    let sql = "SELECT COUNT(*) AS n FROM ai_requests".to_owned();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("q")
        .expect("row");
    row.try_get("", "n").expect("n")
}
