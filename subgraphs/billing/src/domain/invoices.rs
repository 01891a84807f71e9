//! Invoices: a draft for each closed period of a subscription, corrected
//! and recomputed during its grace period (so usage arriving late still
//! counts), then finalized: numbered from the customer's counter inside
//! the same transaction (no gaps, even under concurrency), rendered to a
//! fixed JSON document with its SHA-256, published as `invoice.finalized`,
//! and never changed again except to be marked paid or void.

use backbone_entities::billing::{
    invoice::{self, InvoiceStatus},
    invoice_line::{self, LineKind},
};
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    pagination::{Page, Paged},
};
use uuid::Uuid;

use super::{
    catalogue, coupons, customers,
    invoicing::{self, Line, PhaseUsage, Tax},
    late_usage,
    money::Currency,
    usage::{self, Period},
    writes::Subscription,
};

/// An invoice with its lines in order.
#[derive(Debug, Clone)]
pub struct Invoice {
    /// Its row.
    pub row: invoice::Model,
    /// Its lines.
    pub lines: Vec<invoice_line::Model>,
}

/// What an invoice still asks: its total less credit used, credit notes
/// and payments (never below zero).
pub fn due(i: &invoice::Model) -> i64 {
    (i.total - i.credits_applied - i.credited - i.paid).max(0)
}

/// Writes the draft of `billed` (the part of the period `full` the
/// subscription ran) in `txn`, unless that period has one already. Its
/// grace runs from the end of what it bills.
pub(crate) async fn draft(
    txn: &DatabaseTransaction,
    sub: &Subscription,
    full: Period,
    billed: Period,
    grace: Duration,
) -> ApiResult<invoice::Model> {
    let existing = invoice::Entity::find()
        .filter(invoice::Column::SubscriptionId.eq(sub.row.id))
        .filter(invoice::Column::PeriodStart.eq(billed.from))
        .one(txn)
        .await?;
    if let Some(row) = existing {
        return Ok(row);
    }
    let now = Utc::now();
    let row = invoice::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(sub.row.tenant_id),
        subscription_id: Set(sub.row.id),
        status: Set(InvoiceStatus::Draft),
        currency: Set(String::new()),
        period_start: Set(billed.from),
        period_end: Set(billed.to),
        full_period_end: Set(full.to),
        number: Set(None),
        sequence: Set(None),
        subtotal: Set(0),
        discount: Set(0),
        tax: Set(0),
        total: Set(0),
        credits_applied: Set(0),
        credited: Set(0),
        paid: Set(0),
        card_attempts: Set(0),
        due_at: Set(None),
        overdue_at: Set(None),
        tax_name: Set(None),
        tax_rate: Set(None),
        tax_inclusive: Set(false),
        grace_ends_at: Set(billed.to + grace),
        finalized_at: Set(None),
        paid_at: Set(None),
        voided_at: Set(None),
        void_reason: Set(None),
        document: Set(None),
        document_sha256: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let row = compute(txn, sub, full, row).await?;
    let entry = AuditEntry {
        event_type: "billing.invoice_drafted",
        resource_type: "billing_invoice",
        resource_id: row.id.to_string(),
        data: json!({"periodStart": billed.from, "periodEnd": billed.to, "total": row.total}),
    };
    audit::append(txn, row.tenant_id, None, entry).await?;
    Ok(row)
}

/// (Re)writes the computed lines and the totals of the draft `row` (the
/// operator's adjustments stay), with the customer's tax as it is now.
async fn compute(
    txn: &DatabaseTransaction,
    sub: &Subscription,
    full: Period,
    row: invoice::Model,
) -> ApiResult<invoice::Model> {
    let billed = Period { from: row.period_start, to: row.period_end };
    // The customer's row first: locked on Postgres, it orders the
    // computations of one customer's invoices, so late usage is charged once.
    let customer = customers::profile(txn, sub.row.tenant_id).await?;
    let mut plans = Vec::new();
    for (i, phase) in sub.phases.iter().enumerate() {
        let next = sub.phases.get(i + 1).map(|n| n.starts_at);
        let end = phase.ends_at.or(next).unwrap_or(billed.to).min(billed.to);
        let start = phase.starts_at.max(billed.from);
        if start < end {
            plans.push((catalogue::plan_by_id(txn, phase.plan_id).await?, Period { from: start, to: end }));
        }
    }
    let Some((first, _)) = plans.first() else {
        return Err(ApiError::Internal(format!("subscription {} has no plan in the period", sub.row.id)));
    };
    let currency = Currency::parse("currency", &first.plan.currency)?;
    let mut phases = Vec::with_capacity(plans.len());
    for (plan, part) in &plans {
        let mut used = Vec::with_capacity(plan.charges.len());
        for (metric, _) in &plan.charges {
            used.push(usage::quantity(txn, sub.row.tenant_id, metric, *part).await?);
        }
        phases.push(PhaseUsage { plan, part: *part, usage: used });
    }
    let mut computed = invoicing::lines(currency, full, sub.row.trial_ends_at, &phases)?;
    computed.extend(late_usage::lines(txn, sub.row.tenant_id, sub.row.id, billed.from, currency).await?);
    let tax = customers::tax_for(txn, &customer).await?;
    invoice_line::Entity::delete_many()
        .filter(invoice_line::Column::InvoiceId.eq(row.id))
        .filter(invoice_line::Column::Kind.ne(LineKind::Adjustment))
        .exec(txn)
        .await?;
    for (position, line) in computed.iter().enumerate() {
        insert_line(txn, &row, position as i32, line).await?;
    }
    // Coupons take off what the lines (and corrections) add up to.
    let before: i64 = amounts(txn, row.id).await?.iter().map(|(_, a)| a).sum();
    let offs = coupons::discounts(txn, sub.row.tenant_id, currency, before, billed).await?;
    for (i, line) in offs.iter().enumerate() {
        insert_line(txn, &row, DISCOUNTS + i as i32, line).await?;
    }
    retotal(txn, row, currency, tax.as_ref()).await
}

async fn insert_line(
    txn: &DatabaseTransaction,
    row: &invoice::Model,
    position: i32,
    l: &Line,
) -> ApiResult<()> {
    invoice_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        invoice_id: Set(row.id),
        tenant_id: Set(row.tenant_id),
        position: Set(position),
        kind: Set(l.kind),
        description: Set(l.description.clone()),
        metric_id: Set(l.metric_id),
        plan_id: Set(l.plan_id),
        quantity: Set(l.quantity.to_string()),
        amount: Set(l.amount),
        detail: Set(l.detail.to_string()),
        from_at: Set(l.part.from),
        to_at: Set(l.part.to),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Where corrections and discounts go among the lines (computed lines
/// come first, from 0).
const ADJUSTMENTS: i32 = 1000;
const DISCOUNTS: i32 = 2000;

async fn amounts(txn: &DatabaseTransaction, invoice_id: Uuid) -> ApiResult<Vec<(LineKind, i64)>> {
    Ok(invoice_line::Entity::find()
        .select_only()
        .column(invoice_line::Column::Kind)
        .column(invoice_line::Column::Amount)
        .filter(invoice_line::Column::InvoiceId.eq(invoice_id))
        .into_tuple()
        .all(txn)
        .await?)
}

/// Sums the lines of `row` and applies `tax`.
async fn retotal(
    txn: &DatabaseTransaction,
    row: invoice::Model,
    currency: Currency,
    tax: Option<&Tax>,
) -> ApiResult<invoice::Model> {
    let lines = amounts(txn, row.id).await?;
    let discount: i64 = lines.iter().filter(|(k, _)| *k == LineKind::Discount).map(|(_, a)| -a).sum();
    let t = invoicing::totals(currency, lines.into_iter().map(|(_, a)| a), tax)?;
    let mut active: invoice::ActiveModel = row.into();
    active.currency = Set(currency.code().to_owned());
    active.subtotal = Set(t.subtotal);
    active.discount = Set(discount);
    active.tax = Set(t.tax);
    active.total = Set(t.total);
    active.tax_name = Set(tax.map(|t| t.name.clone()));
    active.tax_rate = Set(tax.map(|t| t.rate.normalize().to_string()));
    active.tax_inclusive = Set(tax.is_some_and(|t| t.inclusive));
    active.updated_at = Set(Utc::now());
    Ok(active.update(txn).await?)
}

/// Invoice `id` of `tenant_id` (any tenant's for the operator: `None`),
/// locked on Postgres when `txn` writes it.
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    id: Uuid,
    lock: bool,
) -> ApiResult<invoice::Model> {
    let mut q = invoice::Entity::find_by_id(id);
    if let Some(t) = tenant_id {
        q = q.filter(invoice::Column::TenantId.eq(t));
    }
    if lock && subgraph_kit::db::is_postgres(db) {
        q = q.lock_exclusive();
    }
    q.one(db).await?.ok_or_else(|| ApiError::NotFound(format!("no invoice {id}")))
}

/// Invoice `id` with its lines, if `tenant_id` (when given) owns it.
pub async fn get(db: &impl ConnectionTrait, tenant_id: Option<Uuid>, id: Uuid) -> ApiResult<Invoice> {
    with_lines(db, load(db, tenant_id, id, false).await?).await
}

pub(crate) async fn with_lines(db: &impl ConnectionTrait, row: invoice::Model) -> ApiResult<Invoice> {
    let lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(row.id))
        .order_by_asc(invoice_line::Column::Position)
        .order_by_asc(invoice_line::Column::Id)
        .all(db)
        .await?;
    Ok(Invoice { row, lines })
}

/// The tenant's invoices with their lines, newest first.
pub async fn list(db: &impl ConnectionTrait, tenant_id: Uuid, page: &Page) -> ApiResult<Paged<Invoice>> {
    let q = invoice::Entity::find().filter(invoice::Column::TenantId.eq(tenant_id));
    let rows = page.fetch_at(db, q.order_by_desc(invoice::Column::Id)).await?;
    let ids: Vec<Uuid> = rows.rows.iter().map(|r| r.id).collect();
    let mut lines = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.is_in(ids))
        .order_by_asc(invoice_line::Column::Position)
        .order_by_asc(invoice_line::Column::Id)
        .all(db)
        .await?;
    Ok(rows.map(|row| {
        let (mine, rest) = std::mem::take(&mut lines).into_iter().partition(|l| l.invoice_id == row.id);
        lines = rest;
        Invoice { row, lines: mine }
    }))
}

pub(crate) fn must_be(row: &invoice::Model, status: InvoiceStatus, doing: &str) -> ApiResult<()> {
    if row.status == status {
        return Ok(());
    }
    Err(ApiError::conflict(
        "INVOICE_STATE",
        format!("invoice {} is {:?}; only a {status:?} one can be {doing}", row.id, row.status)
            .to_lowercase(),
    ))
}

/// Recomputes draft `id` from the usage and the tax as they are now.
pub async fn refresh(db: &DatabaseConnection, id: Uuid) -> ApiResult<Invoice> {
    let txn = db.begin().await?;
    let row = load(&txn, None, id, true).await?;
    must_be(&row, InvoiceStatus::Draft, "recomputed")?;
    let row = recompute(&txn, row).await?;
    let out = with_lines(&txn, row).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(out)
}

pub(crate) async fn recompute(txn: &DatabaseTransaction, row: invoice::Model) -> ApiResult<invoice::Model> {
    let sub = super::writes::by_id(txn, row.subscription_id).await?;
    let full = Period { from: row.period_start, to: row.full_period_end };
    compute(txn, &sub, full, row).await
}

/// Adds a correction line to draft `id` (negative to take off).
pub async fn adjust(
    db: &DatabaseConnection,
    id: Uuid,
    description: &str,
    amount: Decimal,
) -> ApiResult<Invoice> {
    let description = subgraph_kit::validate::name("description", description)?;
    let txn = db.begin().await?;
    let row = load(&txn, None, id, true).await?;
    must_be(&row, InvoiceStatus::Draft, "corrected")?;
    let currency = Currency::parse("currency", &row.currency)?;
    if amount.round_dp(currency.exponent()) != amount {
        return Err(ApiError::bad_input(
            "amount",
            format!("{} has {} decimals", currency.code(), currency.exponent()),
        ));
    }
    let line = Line {
        kind: LineKind::Adjustment,
        description,
        metric_id: None,
        plan_id: None,
        quantity: Decimal::ONE,
        amount: currency.to_minor(amount)?,
        detail: json!({}),
        part: Period { from: row.period_start, to: row.period_end },
    };
    insert_line(&txn, &row, ADJUSTMENTS, &line).await?;
    let row = recompute(&txn, row).await?;
    let out = with_lines(&txn, row).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(out)
}
