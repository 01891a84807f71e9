//! `backbone-bench bench-scheduling`: a tenant with 200 resources (100
//! clinicians, 100 rooms, Mon–Fri 08:00–18:00 in America/Toronto) and a
//! year of appointments, on SQLite and Postgres. Measures free-slot search
//! for a service needing a clinician and a room over two weeks (the first
//! page of 20, and a full page of 100), then booking throughput with
//! concurrent clients on distinct and on contended slots, and counts
//! double bookings afterwards (docs/benchmarks.md).
//!
//! Measured at the scheduling domain (`booking::search`, `booking::book`):
//! what a resolver calls, without HTTP.

use std::{sync::Arc, time::Instant};

use backbone_entities::scheduling::{appointment, reservation, resource, service};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, Statement, TransactionTrait,
};
use subgraph_kit::{ApiError, tenancy::Ref};
use subgraph_scheduling::domain::booking::{self, Request, Search};
use uuid::Uuid;

/// Settings of the scheduling benchmark.
#[derive(Debug, Clone)]
pub struct SchedulingSettings {
    /// Appointments seeded over the year.
    pub appointments: usize,
    /// Searches measured per kind.
    pub searches: usize,
    /// Concurrent booking clients.
    pub clients: usize,
    /// Bookings each client attempts.
    pub per_client: usize,
    /// Postgres URL for the Postgres run (skipped when unset).
    pub postgres_url: Option<String>,
}

const TZ: &str = "America/Toronto";

/// Runs on SQLite, then Postgres when given, and prints tables.
pub async fn run(s: SchedulingSettings) -> anyhow::Result<()> {
    println!("{}", super::machine());
    let dir = super::subscriptions::tempfile_dir()?;
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("scheduling.db").display());
    one("sqlite", &sqlite, &s).await?;
    if let Some(pg) = &s.postgres_url {
        let s = &s;
        super::scratch_db::measured_in(pg, |url| async move { one("postgres", &url, s).await }).await?;
    }
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

async fn one(name: &str, url: &str, s: &SchedulingSettings) -> anyhow::Result<()> {
    let db = subgraph_kit::db::connect_and_migrate(url).await?;
    let tenant = Uuid::now_v7();
    let started = Instant::now();
    let (service_id, seeded, first_pair) = seed(&db, tenant, s.appointments).await?;
    println!(
        "\n{name}: seeded 200 resources and {seeded} appointments in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let service =
        service::Entity::find_by_id(service_id).one(&db).await?.ok_or_else(|| anyhow::anyhow!("service"))?;
    let now = Utc::now();
    for (label, limit) in [("first page (20)", 21), ("full page (100)", 101)] {
        let mut times = Vec::with_capacity(s.searches);
        let mut found = 0;
        for i in 0..s.searches {
            let from = day(now, 1 + (i as i64 * 7) % 340);
            let search = Search {
                from,
                to: from + Duration::days(14),
                preferred: &[],
                after: None,
                limit,
                max_days: 62,
            };
            let t = Instant::now();
            found += booking::search(&db, &service, search, now).await?.len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: free-slot search, clinician + room, 2 weeks, {label}: p50 {:.1} ms, p99 {:.1} ms ({} searches, {:.0} slots each)",
            pct(&times, 0.50),
            pct(&times, 0.99),
            s.searches,
            found as f64 / s.searches as f64
        );
    }
    let service = Arc::new(Ref::<service::Entity>::find(&db, tenant, service_id).await?);
    for contended in [false, true] {
        let t = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..s.clients {
            let (db, service, per, pair) = (db.clone(), service.clone(), s.per_client, first_pair.clone());
            tasks.push(tokio::spawn(async move {
                let (mut ok, mut taken, mut failed) = (0, 0, 0);
                for k in 0..per {
                    // Distinct: each client its own slots after the seeded
                    // year; contended: every client the same slot of the
                    // same clinician and room in turn.
                    let n = if contended { k } else { c * per + k };
                    let starts_at = slot(now, if contended { 600 } else { 370 }, n);
                    let req = Request {
                        service: (*service).clone(),
                        patient_id: Uuid::now_v7(),
                        booked_by: Uuid::now_v7(),
                        starts_at,
                        time_zone: TZ.into(),
                        resource_ids: if contended { pair.clone() } else { Vec::new() },
                        idempotency_key: None,
                        hold: None,
                        needs_approval: false,
                        notes: None,
                    };
                    match booking::book(&db, req, Utc::now()).await {
                        Ok(_) => ok += 1,
                        Err(ApiError::Because { reason: "SLOT_TAKEN", .. }) => taken += 1,
                        Err(e) => {
                            failed += 1;
                            tracing::warn!(%e, "booking failed");
                        }
                    }
                }
                (ok, taken, failed)
            }));
        }
        let (mut ok, mut taken, mut failed) = (0, 0, 0);
        for task in tasks {
            let (o, t, f) = task.await?;
            (ok, taken, failed) = (ok + o, taken + t, failed + f);
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{name}: booking, {} clients, {} slots: {:.0} attempts/s, {} booked, {} SLOT_TAKEN, {} other errors, {:.1} s",
            s.clients,
            if contended { "contended (every client the same clinician, room and time)" } else { "distinct" },
            (s.clients * s.per_client) as f64 / secs,
            ok,
            taken,
            failed,
            secs
        );
    }
    println!("{name}: double bookings found afterwards: {}", double_bookings(&db).await?);
    Ok(())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

/// Midnight UTC `days` from `now`.
fn day(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    (now.date_naive() + Duration::days(days)).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The `n`th 30-minute start on weekdays 08:00–18:00 Toronto time from
/// `days` ahead.
fn slot(now: DateTime<Utc>, days: i64, n: usize) -> DateTime<Utc> {
    let tz = jiff::tz::TimeZone::get(TZ).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut date = jiff::civil::Date::new(2000, 1, 1).unwrap_or_default();
    let start = now.date_naive() + Duration::days(days);
    let (mut d, mut left) = (0, n);
    loop {
        let c = start + Duration::days(d);
        use chrono::Datelike;
        if c.weekday().number_from_monday() <= 5 {
            if left < 20 {
                date =
                    jiff::civil::Date::new(c.year() as i16, c.month() as i8, c.day() as i8).unwrap_or(date);
                break;
            }
            left -= 20;
        }
        d += 1;
    }
    let at = date.at(8, 0, 0, 0) + jiff::Span::new().minutes(30 * left as i64);
    let second = tz.to_ambiguous_timestamp(at).compatible().map(|t| t.as_second()).unwrap_or_default();
    DateTime::from_timestamp(second, 0).unwrap_or_default()
}

/// Seeds the tenant; returns the service, the appointments made, and the
/// first clinician and room.
async fn seed(
    db: &DatabaseConnection,
    tenant: Uuid,
    appointments: usize,
) -> anyhow::Result<(Uuid, usize, Vec<Uuid>)> {
    let hours = serde_json::to_string(
        &(1..=5).map(|d| serde_json::json!({"day": d, "start": "08:00", "end": "18:00"})).collect::<Vec<_>>(),
    )?;
    let now = Utc::now();
    let models: Vec<(Uuid, i64)> = (0..200).map(|_| (Uuid::now_v7(), rand_key())).collect();
    let mut rows = Vec::new();
    for (i, &(id, key)) in models.iter().enumerate() {
        let person = i < 100;
        rows.push(resource::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant),
            kind: Set(if person { resource::ResourceKind::Person } else { resource::ResourceKind::Room }),
            category: Set(if person { "clinician" } else { "exam_room" }.into()),
            name: Set(format!("{} {i}", if person { "Clinician" } else { "Room" })),
            user_id: Set(person.then(Uuid::now_v7)),
            capacity: Set(1),
            time_zone: Set(TZ.into()),
            weekly_hours: Set(hours.clone()),
            active: Set(true),
            lock_key: Set(key),
            created_at: Set(now),
        });
    }
    resource::Entity::insert_many(rows).exec(db).await?;
    let service_id = Uuid::now_v7();
    service::Entity::insert(service::ActiveModel {
        id: Set(service_id),
        tenant_id: Set(tenant),
        name: Set("Consultation".into()),
        duration_minutes: Set(30),
        buffer_before_minutes: Set(0),
        buffer_after_minutes: Set(0),
        min_notice_minutes: Set(0),
        booking_window_days: Set(800),
        slot_step_minutes: Set(30),
        cancel_notice_minutes: Set(0),
        requirements: Set(
            r#"[{"kind":"person","category":"clinician"},{"kind":"room","category":"exam_room"}]"#.into(),
        ),
        reminder_offsets: Set("[]".into()),
        requires_approval: Set(false),
        active: Set(true),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    // Each weekday of the coming year, clinician c with room c: the
    // appointments spread over the day, `per_day` of them in all.
    let weekdays = 261;
    let per_day = appointments.div_ceil(weekdays);
    let per_clinician = per_day.div_ceil(100).min(20);
    let mut made = 0;
    let mut batch_a = Vec::new();
    let mut batch_r = Vec::new();
    let mut n = 0;
    'days: while made < appointments {
        for c in 0..100 {
            for j in 0..per_clinician {
                if made >= appointments {
                    break 'days;
                }
                // Slot index within the day spread by clinician.
                let idx = n / 100 * 20 + (j * 20 / per_clinician + c) % 20;
                let starts_at = slot(now, 1, idx);
                let id = Uuid::now_v7();
                batch_a.push(appointment::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(tenant),
                    service_id: Set(service_id),
                    patient_id: Set(Uuid::now_v7()),
                    booked_by: Set(Uuid::now_v7()),
                    status: Set(appointment::AppointmentStatus::Scheduled),
                    starts_at: Set(starts_at),
                    ends_at: Set(starts_at + Duration::minutes(30)),
                    time_zone: Set(TZ.into()),
                    hold_expires_at: Set(None),
                    idempotency_key: Set(None),
                    notes: Set(None),
                    cancel_reason: Set(None),
                    series_id: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                for (rid, key) in [models[c], models[100 + c]] {
                    batch_r.push(reservation::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        tenant_id: Set(tenant),
                        appointment_id: Set(id),
                        resource_id: Set(rid),
                        lock_key: Set(key),
                        seat: Set(0),
                        starts_at: Set(starts_at),
                        ends_at: Set(starts_at + Duration::minutes(30)),
                        hold_expires_at: Set(None),
                        released: Set(false),
                    });
                }
                made += 1;
            }
        }
        n += 100;
        if batch_a.len() >= 2_000 || made >= appointments {
            flush(db, &mut batch_a, &mut batch_r).await?;
        }
    }
    flush(db, &mut batch_a, &mut batch_r).await?;
    Ok((service_id, made, vec![models[0].0, models[100].0]))
}

async fn flush(
    db: &DatabaseConnection,
    a: &mut Vec<appointment::ActiveModel>,
    r: &mut Vec<reservation::ActiveModel>,
) -> anyhow::Result<()> {
    if a.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    for chunk in std::mem::take(a).chunks(500) {
        appointment::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    for chunk in std::mem::take(r).chunks(500) {
        reservation::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}

fn rand_key() -> i64 {
    (Uuid::new_v4().as_u128() as i64) & i64::MAX
}

/// Pairs of live reservations of one seat that overlap.
async fn double_bookings(db: &DatabaseConnection) -> anyhow::Result<i64> {
    let sql = "SELECT COUNT(*) AS n FROM appointment_reservations a JOIN appointment_reservations b \
               ON a.lock_key = b.lock_key AND a.seat = b.seat AND a.id < b.id \
               AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
               WHERE NOT a.released AND NOT b.released";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or_default())
}
