//! The operator's catalogue: billable metrics (what usage is counted) and
//! plans, versioned: a change to a plan writes a new version with its own
//! charges, and every earlier version stays as it was.

use backbone_entities::billing::{
    metric::{self, Aggregation},
    plan::{self, BillingInterval},
    plan_charge,
};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::{Map, Value};
use subgraph_kit::{ApiError, ApiResult, validate};
use uuid::Uuid;

use super::{
    charges::ChargeModel,
    entitlements::{self, Entitlement},
    money::Currency,
};

/// A metric as submitted.
pub struct NewMetric {
    /// Stable code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// How events add up.
    pub aggregation: Aggregation,
    /// The event type counted.
    pub event_type: String,
    /// The payload field (all but `count`).
    pub field: Option<String>,
    /// Payload fields an event must have these values in.
    pub filters: Map<String, Value>,
}

/// A plan version as submitted.
pub struct NewPlan {
    /// Display name.
    pub name: String,
    /// How often it bills.
    pub interval: BillingInterval,
    /// ISO 4217 code.
    pub currency: String,
    /// Subscription fee per interval.
    pub fee: Decimal,
    /// Free days.
    pub trial_days: i32,
    /// Metric code and charge model, in invoice order.
    pub charges: Vec<(String, ChargeModel)>,
    /// What it grants.
    pub entitlements: Vec<Entitlement>,
}

/// A plan version with its charges (metric and model).
#[derive(Debug, Clone)]
pub struct Plan {
    /// The version's row.
    pub plan: plan::Model,
    /// Its charges in order.
    pub charges: Vec<(metric::Model, ChargeModel)>,
}

/// A code: lowercase letters, digits and `_`, 2 to 64 characters.
pub(crate) fn code(field: &str, value: &str) -> ApiResult<String> {
    let ok = (2..=64).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::bad_input(field, "a code is 2 to 64 lowercase letters, digits or _"))
    }
}

/// Adds a billable metric.
pub async fn create_metric(db: &impl ConnectionTrait, m: NewMetric) -> ApiResult<metric::Model> {
    let code = code("code", &m.code)?;
    let name = validate::name("name", &m.name)?;
    let event_type = validate::name("eventType", &m.event_type)?;
    let field = match (m.aggregation, m.field) {
        (Aggregation::Count, None) => None,
        (Aggregation::Count, Some(_)) => {
            return Err(ApiError::bad_input("field", "a count needs no field"));
        }
        (_, Some(f)) => Some(validate::name("field", &f)?),
        (_, None) => {
            return Err(ApiError::bad_input("field", "this aggregation needs the payload field it reads"));
        }
    };
    if m.filters.len() > 10 || m.filters.values().any(|v| v.is_object() || v.is_array()) {
        return Err(ApiError::bad_input("filters", "at most 10 filters, each a field and a plain value"));
    }
    if metric::Entity::find().filter(metric::Column::Code.eq(code.as_str())).one(db).await?.is_some() {
        return Err(ApiError::conflict("CODE_TAKEN", format!("a metric {code} exists")));
    }
    Ok(metric::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        aggregation: Set(m.aggregation),
        event_type: Set(event_type),
        field: Set(field),
        filters: Set(Value::Object(m.filters).to_string()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// Metric `code`.
pub async fn metric(db: &impl ConnectionTrait, code: &str) -> ApiResult<metric::Model> {
    metric::Entity::find()
        .filter(metric::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no billable metric {code}")))
}

/// Every metric, by code.
pub async fn metrics(db: &impl ConnectionTrait) -> ApiResult<Vec<metric::Model>> {
    Ok(metric::Entity::find().order_by_asc(metric::Column::Code).all(db).await?)
}

/// Writes version 1 of plan `code` (a new plan) or, with `revise`, the
/// next version of an existing one.
pub async fn write_plan(
    db: &DatabaseConnection,
    plan_code: &str,
    p: NewPlan,
    revise: bool,
) -> ApiResult<Plan> {
    let plan_code = code("code", plan_code)?;
    let name = validate::name("name", &p.name)?;
    let currency = Currency::parse("currency", &p.currency)?;
    if p.fee.is_sign_negative() && !p.fee.is_zero() {
        return Err(ApiError::bad_input("fee", "a fee cannot be negative"));
    }
    if p.fee.round_dp(currency.exponent()) != p.fee {
        return Err(ApiError::bad_input(
            "fee",
            format!("{} has {} decimals", currency.code(), currency.exponent()),
        ));
    }
    if !(0..=365).contains(&p.trial_days) {
        return Err(ApiError::bad_input("trialDays", "a trial is 0 to 365 days"));
    }
    entitlements::validate(&p.entitlements)?;
    if p.charges.len() > 20 {
        return Err(ApiError::bad_input("charges", "a plan has at most 20 charges"));
    }
    let mut charges = Vec::with_capacity(p.charges.len());
    for (metric_code, model) in p.charges {
        model.validate()?;
        let m = metric::Entity::find()
            .filter(metric::Column::Code.eq(metric_code.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| {
            ApiError::bad_input("charges", format!("no billable metric {metric_code:?}"))
        })?;
        if charges.iter().any(|(c, _): &(metric::Model, ChargeModel)| c.id == m.id) {
            return Err(ApiError::bad_input("charges", format!("{metric_code} is charged twice")));
        }
        charges.push((m, model));
    }
    let txn = db.begin().await?;
    let latest = latest(&txn, &plan_code).await?;
    let version = match (latest, revise) {
        (None, false) => 1,
        (Some(_), false) => {
            return Err(ApiError::conflict(
                "CODE_TAKEN",
                format!("plan {plan_code} exists; revise it instead"),
            ));
        }
        (None, true) => return Err(ApiError::NotFound(format!("no plan {plan_code}"))),
        (Some(l), true) => {
            if l.currency != currency.code() {
                return Err(ApiError::bad_input("currency", "a plan keeps its currency across versions"));
            }
            l.version + 1
        }
    };
    let row = plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(plan_code),
        version: Set(version),
        name: Set(name),
        interval: Set(p.interval),
        currency: Set(currency.code().to_owned()),
        fee: Set(p.fee.normalize().to_string()),
        trial_days: Set(p.trial_days),
        entitlements: Set(
            serde_json::to_string(&p.entitlements).map_err(|e| ApiError::Internal(e.to_string()))?
        ),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    for (position, (m, model)) in charges.iter().enumerate() {
        plan_charge::ActiveModel {
            id: Set(Uuid::now_v7()),
            plan_id: Set(row.id),
            metric_id: Set(m.id),
            position: Set(position as i32),
            model: Set(serde_json::to_string(model).map_err(|e| ApiError::Internal(e.to_string()))?),
        }
        .insert(&txn)
        .await?;
    }
    // A concurrent write of the same version fails on the unique index.
    subgraph_kit::db::commit(txn).await?;
    Ok(Plan { plan: row, charges })
}

async fn latest(db: &impl ConnectionTrait, code: &str) -> ApiResult<Option<plan::Model>> {
    Ok(plan::Entity::find()
        .filter(plan::Column::Code.eq(code))
        .order_by_desc(plan::Column::Version)
        .one(db)
        .await?)
}

/// Plan `code` at `version`, or its latest version.
pub async fn plan(db: &impl ConnectionTrait, code: &str, version: Option<i32>) -> ApiResult<Plan> {
    let row = match version {
        Some(v) => {
            plan::Entity::find()
                .filter(plan::Column::Code.eq(code))
                .filter(plan::Column::Version.eq(v))
                .one(db)
                .await?
        }
        None => latest(db, code).await?,
    }
    .ok_or_else(|| ApiError::NotFound(format!("no plan {code}")))?;
    with_charges(db, row).await
}

/// The plan version `id`.
pub async fn plan_by_id(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Plan> {
    let row = plan::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("plan version {id} is gone")))?;
    with_charges(db, row).await
}

/// The latest version of every plan, by code.
pub async fn plans(db: &impl ConnectionTrait) -> ApiResult<Vec<Plan>> {
    let rows = plan::Entity::find()
        .order_by_asc(plan::Column::Code)
        .order_by_desc(plan::Column::Version)
        .all(db)
        .await?;
    let mut out: Vec<Plan> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|p| p.plan.code != row.code) {
            out.push(with_charges(db, row).await?);
        }
    }
    Ok(out)
}

async fn with_charges(db: &impl ConnectionTrait, row: plan::Model) -> ApiResult<Plan> {
    let charges = plan_charge::Entity::find()
        .filter(plan_charge::Column::PlanId.eq(row.id))
        .order_by_asc(plan_charge::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = charges.iter().map(|c| c.metric_id).collect();
    let metrics = metric::Entity::find().filter(metric::Column::Id.is_in(ids)).all(db).await?;
    let mut out = Vec::with_capacity(charges.len());
    for c in charges {
        let m = metrics.iter().find(|m| m.id == c.metric_id).cloned();
        let model: ChargeModel = serde_json::from_str(&c.model)
            .map_err(|e| ApiError::Internal(format!("stored charge model: {e}")))?;
        if let Some(m) = m {
            out.push((m, model));
        }
    }
    Ok(Plan { plan: row, charges: out })
}
