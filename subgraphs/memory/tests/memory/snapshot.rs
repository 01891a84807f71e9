//! Cached snapshots against the database they cache: after any mix of
//! additions, removals, out-of-order inserts (another replica's clock) and
//! a full erasure, every cache that refreshes holds exactly the person's
//! rows, whether it refreshes after each change or after several.

use std::collections::BTreeSet;

use backbone_entities::memory::{entry, generation};
use chrono::Utc;
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use subgraph_kit::{
    Kit,
    testkit::{TestDb, test_config},
};
use subgraph_memory::domain::{
    embed::{self, Embedder},
    pgvector::PgVector,
    snapshot::{self, Cache, Filters},
    store::{self, Change, NewMemory},
};
use uuid::Uuid;

fn new(text: &str) -> NewMemory {
    NewMemory {
        kind: "fact".into(),
        text: text.into(),
        required_scope: "memory".into(),
        importance: 0.5,
        expires_at: None,
    }
}

async fn db_ids(kit: &Kit, tenant: Uuid, user: Uuid) -> BTreeSet<Uuid> {
    store::all(&kit.db, tenant, user).await.expect("list").into_iter().map(|m| m.id).collect()
}

async fn cached_ids(kit: &Kit, cache: &Cache, tenant: Uuid, user: Uuid) -> BTreeSet<Uuid> {
    let s = snapshot::snapshot(&kit.db, cache, tenant, user).await.expect("snapshot");
    let ids: BTreeSet<Uuid> = s.entries().map(|(e, _)| e.id).collect();
    assert_eq!(ids.len(), s.len(), "an entry is listed twice");
    // Every cached vector is the one stored for its text.
    for (e, v) in s.entries() {
        assert_eq!(v, embed::local(&e.text).as_slice(), "vector of {}", e.id);
    }
    ids
}

/// A row with an id older than every existing one, as a replica whose
/// clock is behind would write it.
async fn insert_out_of_order(kit: &Kit, tenant: Uuid, user: Uuid, text: &str) {
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, 1_000_000, 0);
    let txn = kit.db.begin().await.expect("txn");
    entry::Entity::insert(entry::ActiveModel {
        id: Set(Uuid::new_v7(ts)),
        tenant_id: Set(tenant),
        user_id: Set(user),
        kind: Set("fact".into()),
        text: Set(text.into()),
        required_scope: Set("memory".into()),
        importance: Set(0.5),
        expires_at: Set(None),
        embedder: Set(embed::LOCAL_NAME.into()),
        embedding: Set(embed::to_bytes(&embed::local(text))),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(&txn)
    .await
    .expect("insert");
    store::changed(&txn, tenant, user, Change::Added(1)).await.expect("mark");
    subgraph_kit::db::commit(txn).await.expect("commit");
}

#[tokio::test]
async fn caches_hold_exactly_the_stored_rows_through_any_mix_of_changes() {
    let db = TestDb::new().await.expect("db");
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let (eager, lazy) = (snapshot::cache(10), snapshot::cache(10));
    let mut rng = StdRng::seed_from_u64(7);
    for step in 0..120 {
        match rng.random_range(0..10) {
            0..5 => {
                for i in 0..rng.random_range(1..8) {
                    let text = format!("memory {step} {i} about topic {}", rng.random_range(0..20));
                    store::remember(
                        &kit.db,
                        &Embedder::Local,
                        &PgVector::default(),
                        tenant,
                        user,
                        new(&text),
                        10_000,
                    )
                    .await
                    .expect("remember");
                }
            }
            5..8 => {
                let ids: Vec<Uuid> = db_ids(&kit, tenant, user).await.into_iter().collect();
                for _ in 0..rng.random_range(1..4).min(ids.len()) {
                    let id = ids[rng.random_range(0..ids.len())];
                    let _ = store::forget(&kit.db, tenant, user, id).await;
                }
            }
            8 => insert_out_of_order(&kit, tenant, user, &format!("late memory {step}")).await,
            _ => {
                // What a DSAR erasure does: every row and the marks go.
                entry::Entity::delete_many()
                    .filter(entry::Column::UserId.eq(user))
                    .exec(&kit.db)
                    .await
                    .expect("erase");
                generation::Entity::delete_by_id(user).exec(&kit.db).await.expect("erase marks");
            }
        }
        let truth = db_ids(&kit, tenant, user).await;
        let marks = generation::Entity::find_by_id(user).one(&kit.db).await.expect("marks");
        assert_eq!(marks.map_or(0, |m| m.memory_count), truth.len() as i64, "memory count after step {step}");
        assert_eq!(cached_ids(&kit, &eager, tenant, user).await, truth, "eager cache after step {step}");
        if step % 5 == 4 {
            assert_eq!(cached_ids(&kit, &lazy, tenant, user).await, truth, "lazy cache after step {step}");
        }
    }
}

#[tokio::test]
async fn a_cache_sees_changes_made_through_another_replica() {
    let db = TestDb::new().await.expect("db");
    let kit = Kit::start(test_config(&db), Default::default()).await.expect("kit");
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let (mine, theirs) = (snapshot::cache(10), snapshot::cache(10));
    store::remember(&kit.db, &Embedder::Local, &PgVector::default(), tenant, user, new("first"), 10)
        .await
        .expect("remember");
    let count = |s: &snapshot::Snapshot| {
        let ask = snapshot::Ask {
            query: &embed::local("first"),
            embedder: embed::LOCAL_NAME,
            allowed: &["memory".into()],
            filters: &Filters::default(),
            k: 10,
            now: Utc::now(),
        };
        snapshot::rank(s, &ask).len()
    };
    assert_eq!(count(&snapshot::snapshot(&kit.db, &mine, tenant, user).await.expect("s")), 1);
    let second =
        store::remember(&kit.db, &Embedder::Local, &PgVector::default(), tenant, user, new("second"), 10)
            .await
            .expect("remember");
    assert_eq!(count(&snapshot::snapshot(&kit.db, &theirs, tenant, user).await.expect("s")), 2);
    assert_eq!(
        count(&snapshot::snapshot(&kit.db, &mine, tenant, user).await.expect("s")),
        2,
        "stale cache re-read"
    );
    store::forget(&kit.db, tenant, user, second.id).await.expect("forget");
    assert_eq!(count(&snapshot::snapshot(&kit.db, &mine, tenant, user).await.expect("s")), 1);
    let full =
        store::remember(&kit.db, &Embedder::Local, &PgVector::default(), tenant, user, new("x"), 1).await;
    assert!(full.is_err(), "the per-person cap holds");
}
