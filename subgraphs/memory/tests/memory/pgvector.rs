//! Recall through pgvector's HNSW index, on a Postgres server that has the
//! extension (`TEST_PGVECTOR_URL`; `.ci/run` starts one): the same answers
//! as the exact scan, every filter kept, and the index able to serve the
//! query. Skipped, with a note, when the variable is unset.

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use subgraph_kit::{
    Kit,
    testkit::{TestDb, test_config},
};
use subgraph_memory::domain::{
    embed::{self, Embedder, LOCAL_NAME},
    pgvector::{self, PgVector},
    snapshot::{self, Ask, Filters},
    store::{self, NewMemory},
};
use uuid::Uuid;

const TOPICS: [&str; 6] = [
    "metformin tablets with breakfast",
    "allergic to penicillin and pollen",
    "sleeps badly and wakes at night",
    "learning Spanish verbs",
    "running a half marathon",
    "twelve hour hospital shifts",
];

fn memory(i: usize, scope: &str) -> NewMemory {
    NewMemory {
        kind: if i.is_multiple_of(3) { "goal".into() } else { "fact".into() },
        text: format!("{} note {i} day {}", TOPICS[i % TOPICS.len()], i * 7 % 31),
        required_scope: scope.into(),
        importance: (i % 10) as f64 / 10.0,
        expires_at: None,
    }
}

#[tokio::test]
async fn hnsw_recall_matches_the_exact_scan_and_keeps_every_filter() {
    let Some(db) = TestDb::pgvector().await.expect("pgvector db") else {
        eprintln!("TEST_PGVECTOR_URL is not set: pgvector recall not tested in this run");
        return;
    };
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let vectors = PgVector::default();
    assert!(vectors.enabled(&kit.db).await.expect("detect"), "pgvector is available on TEST_PGVECTOR_URL");
    let (tenant, me, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for i in 0..240_usize {
        let scope = if i.is_multiple_of(4) { "memory.health" } else { "memory" };
        store::remember(&kit.db, &Embedder::Local, &vectors, tenant, me, memory(i, scope), 10_000)
            .await
            .expect("mine");
    }
    for i in 0..60 {
        store::remember(&kit.db, &Embedder::Local, &vectors, tenant, other, memory(i, "memory"), 10_000)
            .await
            .expect("theirs");
    }
    let now = Utc::now();
    assert_eq!(
        pgvector::scopes(&kit.db, tenant, me, now).await.expect("scopes"),
        ["memory", "memory.health"],
    );
    let cache = snapshot::cache(4);
    let exact = snapshot::snapshot(&kit.db, &cache, tenant, me).await.expect("snapshot");
    let allowed = vec!["memory".to_owned()];
    let filters = [
        Filters::default(),
        Filters { kinds: vec!["goal".into()], min_importance: None },
        Filters { kinds: Vec::new(), min_importance: Some(0.5) },
    ];
    for query in ["penicillin allergy", "marathon running", "night sleep", "Spanish", "hospital shifts"] {
        let q = embed::local(query);
        for f in &filters {
            // Same scores, best first; ids may differ only where scores tie
            // (near-identical texts).
            let ask = Ask { query: &q, embedder: LOCAL_NAME, allowed: &allowed, filters: f, k: 5, now };
            let want: Vec<f32> = snapshot::rank(&exact, &ask).iter().map(|h| h.1).collect();
            let hits = pgvector::rank(&kit.db, tenant, me, &ask).await.expect("rank");
            let got: Vec<f32> = hits.iter().map(|h| h.score).collect();
            assert_eq!(got.len(), want.len(), "{query:?} with {f:?}");
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-4, "{query:?} with {f:?}: {got:?} against {want:?}");
            }
            let unique: BTreeSet<Uuid> = hits.iter().map(|h| h.memory.id).collect();
            assert_eq!(unique.len(), hits.len(), "a memory twice");
            for h in &hits {
                assert_eq!(h.memory.user_id, me, "another person's memory");
                assert_eq!(h.memory.required_scope, "memory", "a scope without consent");
                assert!(f.kinds.is_empty() || f.kinds.contains(&h.memory.kind));
                assert!(f.min_importance.is_none_or(|m| h.memory.importance >= m));
                let direct = embed::dot(&embed::local(&h.memory.text), &q);
                assert!((h.score - direct).abs() < 1e-4, "score {} against {direct}", h.score);
            }
        }
    }
    // Nothing allowed, nothing returned.
    let (x, none) = (embed::local("x"), Filters::default());
    let ask = Ask { query: &x, embedder: LOCAL_NAME, allowed: &[], filters: &none, k: 5, now };
    let hits = pgvector::rank(&kit.db, tenant, me, &ask).await.expect("rank");
    assert!(hits.is_empty());

    // The partial HNSW index can serve the query (with sorting off: for a
    // person with this few memories the planner rightly prefers reading
    // them by the person index and sorting).
    let sql = pgvector::ranking_sql(LOCAL_NAME, 256, 1, &Filters::default());
    let values: Vec<sea_orm::Value> = vec![
        format!("{:?}", embed::local("sleep")).replace(' ', "").into(),
        tenant.into(),
        me.into(),
        now.into(),
        "memory".into(),
        5i64.into(),
    ];
    let txn = kit.db.begin().await.expect("txn");
    txn.execute_unprepared("SET LOCAL enable_sort = off").await.expect("set");
    let plan = txn
        .query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, format!("EXPLAIN {sql}"), values))
        .await
        .expect("explain");
    let plan: Vec<String> =
        plan.iter().map(|r| r.try_get::<String>("", "QUERY PLAN").expect("line")).collect();
    assert!(plan.iter().any(|l| l.contains("ix_memories_hnsw_local_hash_v1_256_256")), "{plan:#?}");
}
