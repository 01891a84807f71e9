//! Precision@3 of the local embedder on the labelled set in
//! `tests/data/recall_set.json` (60 memories, 12 queries), through the
//! real store: memories embedded, written and read back as bytes.

use chrono::Utc;
use serde::Deserialize;
use subgraph_kit::{
    Kit,
    testkit::{TestDb, test_config},
};
use subgraph_memory::domain::{
    embed::{self, Embedder},
    pgvector::PgVector,
    snapshot::{self, Filters},
    store::{self, NewMemory},
};
use uuid::Uuid;

#[derive(Deserialize)]
struct Item {
    topic: String,
    text: String,
}

#[derive(Deserialize)]
struct Set {
    memories: Vec<Item>,
    queries: Vec<Item>,
}

#[tokio::test]
async fn local_embedder_precision_at_3_is_at_least_0_8() {
    let set: Set = serde_json::from_str(include_str!("../data/recall_set.json")).expect("set");
    assert!(set.memories.len() >= 50 && set.queries.len() >= 10);
    let db = TestDb::new().await.expect("db");
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let mut topic_of = std::collections::HashMap::new();
    for m in &set.memories {
        let new = NewMemory {
            kind: "fact".into(),
            text: m.text.clone(),
            required_scope: "memory".into(),
            importance: 0.5,
            expires_at: None,
        };
        let row = store::remember(&kit.db, &Embedder::Local, &PgVector::default(), tenant, user, new, 1_000)
            .await
            .expect("remember");
        topic_of.insert(row.id, m.topic.clone());
    }
    let cache = snapshot::cache(10);
    let snapshot = snapshot::snapshot(&kit.db, &cache, tenant, user).await.expect("snapshot");
    let mut total = 0.0;
    for q in &set.queries {
        let ask = snapshot::Ask {
            query: &embed::local(&q.text),
            embedder: embed::LOCAL_NAME,
            allowed: &["memory".to_owned()],
            filters: &Filters::default(),
            k: 3,
            now: Utc::now(),
        };
        let hits = snapshot::rank(&snapshot, &ask);
        let relevant = hits.iter().filter(|(e, _)| topic_of[&e.id] == q.topic).count();
        println!("{:>10}: {relevant}/3 for {:?}", q.topic, q.text);
        total += relevant as f64 / 3.0;
    }
    let precision = total / set.queries.len() as f64;
    println!("precision@3 = {precision:.3}");
    assert!(precision >= 0.8, "precision@3 = {precision:.3}");
}
