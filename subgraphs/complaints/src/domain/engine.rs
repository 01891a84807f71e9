//! The SLA engine: finds missed targets and climbs the escalation ladder.
//!
//! All state lives in the complaint rows (absolute due instants, flags,
//! the escalation level and when the next level is due), so a restarted
//! engine resumes exactly where the last one stopped, and a breach that
//! came due while no engine ran fires on the first pass. Each step is a
//! compare-and-set on the row, so several replicas running the engine fire
//! each breach and each escalation once.

use std::time::Duration as StdDuration;

use backbone_entities::complaints::complaint;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
    sea_query::Expr,
};
use subgraph_kit::{ApiResult, Kit};

use super::{Entry, EntryKind, admin, emit, events, find, intake::next_assignee, status, timeline};

/// Highest escalation level.
pub const MAX_LEVEL: i32 = 3;
const BATCH: u64 = 200;

/// Runs passes every `tick` (`complaints.sla_tick_ms`) until `shutdown`.
pub async fn run(kit: Kit, tick_every: StdDuration, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let every = tick_every.max(StdDuration::from_millis(10));
    loop {
        if let Err(e) = tick(&kit.db, Utc::now()).await {
            tracing::warn!(error = %e, "SLA engine pass failed; retrying");
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// One pass at `now`; returns how many breaches and escalations fired.
pub async fn tick(db: &DatabaseConnection, now: DateTime<Utc>) -> ApiResult<usize> {
    let mut fired = 0;
    for target in [Target::FirstResponse, Target::Resolution] {
        let due = complaint::Entity::find()
            .filter(target.due().lte(now))
            .filter(target.flag().eq(false))
            .filter(complaint::Column::PausedAt.is_null())
            .filter(complaint::Column::Status.is_in(status::OPEN))
            .limit(BATCH)
            .all(db)
            .await?;
        for c in due {
            fired += usize::from(breach(db, c, target, now).await?);
        }
    }
    let climbing = complaint::Entity::find()
        .filter(complaint::Column::NextEscalationAt.lte(now))
        .filter(complaint::Column::EscalationLevel.lt(MAX_LEVEL))
        .filter(complaint::Column::PausedAt.is_null())
        .filter(complaint::Column::Status.is_in(status::OPEN))
        .limit(BATCH)
        .all(db)
        .await?;
    for c in climbing {
        fired += usize::from(escalate(db, c, now).await?);
    }
    Ok(fired)
}

#[derive(Clone, Copy)]
enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    fn due(self) -> complaint::Column {
        match self {
            Target::FirstResponse => complaint::Column::FirstResponseDueAt,
            Target::Resolution => complaint::Column::ResolutionDueAt,
        }
    }
    fn flag(self) -> complaint::Column {
        match self {
            Target::FirstResponse => complaint::Column::FirstResponseBreached,
            Target::Resolution => complaint::Column::ResolutionBreached,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Resolution => "resolution",
        }
    }
}

async fn breach(
    db: &DatabaseConnection,
    c: complaint::Model,
    target: Target,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let txn = db.begin().await?;
    // The first breach starts the ladder at once.
    let mut update = complaint::Entity::update_many()
        .col_expr(target.flag(), Expr::value(true))
        .col_expr(complaint::Column::UpdatedAt, Expr::value(now));
    if c.next_escalation_at.is_none() && c.escalation_level == 0 {
        update = update.col_expr(complaint::Column::NextEscalationAt, Expr::value(Some(now)));
    }
    let claimed =
        update.filter(complaint::Column::Id.eq(c.id)).filter(target.flag().eq(false)).exec(&txn).await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    let c = find(&txn, c.tenant_id, c.id).await?;
    let body = Some(format!("{} target missed", target.name().replace('_', " ")));
    timeline(&txn, &c, Entry { kind: EntryKind::SlaBreach, author: None, body, change: None }).await?;
    let payload = serde_json::json!({"target": target.name(), "critical": true});
    emit(&txn, &c, None, events::SLA_BREACHED, payload).await?;
    subgraph_kit::db::commit(txn).await?;
    metrics::counter!("backbone_sla_breaches_total", "target" => target.name()).increment(1);
    Ok(true)
}

async fn escalate(db: &DatabaseConnection, c: complaint::Model, now: DateTime<Utc>) -> ApiResult<bool> {
    let Some(policy) = (match c.policy_id {
        Some(p) => admin::load_policy(db, p).await?,
        None => None,
    }) else {
        return Ok(false);
    };
    let level = c.escalation_level + 1;
    let next = (level < MAX_LEVEL).then(|| now + Duration::seconds(i64::from(policy.row.escalation_seconds)));
    let txn = db.begin().await?;
    let team = usize::try_from(level - 1).ok().and_then(|i| policy.ladder.get(i)).copied();
    let assignee = match team {
        Some(t) => next_assignee(&txn, t).await?.or(c.assignee_id),
        None => c.assignee_id,
    };
    let claimed = complaint::Entity::update_many()
        .col_expr(complaint::Column::EscalationLevel, Expr::value(level))
        .col_expr(complaint::Column::NextEscalationAt, Expr::value(next))
        .col_expr(complaint::Column::AssigneeId, Expr::value(assignee))
        .col_expr(complaint::Column::TeamId, Expr::value(team.or(c.team_id)))
        .col_expr(complaint::Column::UpdatedAt, Expr::value(now))
        .filter(
            Condition::all()
                .add(complaint::Column::Id.eq(c.id))
                .add(complaint::Column::EscalationLevel.eq(c.escalation_level)),
        )
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    let updated = find(&txn, c.tenant_id, c.id).await?;
    let body = Some(format!("escalated to level {level}"));
    timeline(&txn, &updated, Entry { kind: EntryKind::Escalation, author: None, body, change: None }).await?;
    let payload = serde_json::json!({
        "level": level,
        "previousAssigneeId": c.assignee_id,
        "critical": true,
    });
    emit(&txn, &updated, None, events::COMPLAINT_ESCALATED, payload).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(true)
}
