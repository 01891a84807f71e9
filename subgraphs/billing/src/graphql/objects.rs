//! API types. Rows convert into these explicitly; nothing here is a table.

use async_graphql::{ComplexObject, Result, SimpleObject};
use backbone_entities::billing::metric;
use rust_decimal::Decimal;

use super::{
    decimal,
    inputs::{BillingInterval, ChargeModelKind, MetricAggregation},
};
use crate::domain::{
    catalogue::Plan as StoredPlan,
    charges::{ChargeModel, Priced},
    money::Currency,
};

/// A payload field and the value an event must have in it.
#[derive(SimpleObject)]
pub struct MetricFilter {
    /// Payload field.
    pub field: String,
    /// Value.
    pub value: String,
}

/// What usage is counted: an aggregation over events of one type.
#[derive(SimpleObject)]
pub struct BillableMetric {
    /// Stable code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// How events add up.
    pub aggregation: MetricAggregation,
    /// The event type counted.
    pub event_type: String,
    /// The payload field read.
    pub field: Option<String>,
    /// Only events with these payload values.
    pub filters: Vec<MetricFilter>,
}

impl From<metric::Model> for BillableMetric {
    fn from(m: metric::Model) -> Self {
        let filters = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&m.filters)
            .unwrap_or_default()
            .into_iter()
            .map(|(field, v)| MetricFilter {
                field,
                value: v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            })
            .collect();
        Self {
            code: m.code,
            name: m.name,
            aggregation: m.aggregation.into(),
            event_type: m.event_type,
            field: m.field,
            filters,
        }
    }
}

/// One tier of a graduated or volume charge.
#[derive(SimpleObject)]
pub struct ChargeTier {
    /// Last unit covered; none for the last tier.
    pub up_to: Option<String>,
    /// Price per unit.
    pub unit_price: String,
    /// Added once when any unit falls in the tier.
    pub flat_fee: String,
}

/// A plan's charge for one metric.
#[derive(SimpleObject)]
pub struct PlanCharge {
    /// What is counted.
    pub metric: BillableMetric,
    /// How it is priced.
    pub model: ChargeModelKind,
    /// FLAT: the amount.
    pub amount: Option<String>,
    /// PER_UNIT: the unit price.
    pub unit_price: Option<String>,
    /// GRADUATED and VOLUME: the tiers.
    pub tiers: Vec<ChargeTier>,
    /// PACKAGE: units per package.
    pub package_size: Option<String>,
    /// PACKAGE: price of a package.
    pub package_price: Option<String>,
    /// PACKAGE: units free first.
    pub free_units: Option<String>,
}

fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

impl PlanCharge {
    fn of(metric: metric::Model, model: &ChargeModel) -> Self {
        let mut c = Self {
            metric: metric.into(),
            model: ChargeModelKind::Flat,
            amount: None,
            unit_price: None,
            tiers: Vec::new(),
            package_size: None,
            package_price: None,
            free_units: None,
        };
        let tiers = |ts: &[crate::domain::charges::Tier]| {
            ts.iter()
                .map(|t| ChargeTier {
                    up_to: t.up_to.map(text),
                    unit_price: text(t.unit_price),
                    flat_fee: text(t.flat_fee),
                })
                .collect()
        };
        match model {
            ChargeModel::Flat { amount } => c.amount = Some(text(*amount)),
            ChargeModel::PerUnit { unit_price } => {
                c.model = ChargeModelKind::PerUnit;
                c.unit_price = Some(text(*unit_price));
            }
            ChargeModel::Graduated { tiers: ts } => {
                c.model = ChargeModelKind::Graduated;
                c.tiers = tiers(ts);
            }
            ChargeModel::Volume { tiers: ts } => {
                c.model = ChargeModelKind::Volume;
                c.tiers = tiers(ts);
            }
            ChargeModel::Package { size, price, free_units } => {
                c.model = ChargeModelKind::Package;
                c.package_size = Some(text(*size));
                c.package_price = Some(text(*price));
                c.free_units = Some(text(*free_units));
            }
        }
        c
    }
}

/// A version of a plan.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Plan {
    /// Stable code shared by its versions.
    pub code: String,
    /// This version.
    pub version: i32,
    /// Display name.
    pub name: String,
    /// How often it bills.
    pub interval: BillingInterval,
    /// ISO 4217 code.
    pub currency: String,
    /// Subscription fee per interval.
    pub fee: String,
    /// Days free before the first charge.
    pub trial_days: i32,
    /// Usage charges, in invoice order.
    pub charges: Vec<PlanCharge>,
    /// What it grants.
    pub entitlements: Vec<EntitlementGrant>,
    #[graphql(skip)]
    pub models: Vec<(String, ChargeModel)>,
}

impl From<StoredPlan> for Plan {
    fn from(p: StoredPlan) -> Self {
        let models = p.charges.iter().map(|(m, model)| (m.code.clone(), model.clone())).collect();
        let grants = crate::domain::entitlements::of(&p.plan)
            .unwrap_or_default()
            .into_iter()
            .map(EntitlementGrant::from)
            .collect();
        Self {
            code: p.plan.code,
            version: p.plan.version,
            name: p.plan.name,
            interval: p.plan.interval.into(),
            currency: p.plan.currency,
            fee: p.plan.fee,
            trial_days: p.plan.trial_days,
            entitlements: grants,
            charges: p.charges.into_iter().map(|(m, model)| PlanCharge::of(m, &model)).collect(),
            models,
        }
    }
}

/// One grant of a plan: a feature (no limit) or a limit per month.
#[derive(SimpleObject)]
pub struct EntitlementGrant {
    /// What it grants, e.g. `ai.tokens_per_month`.
    pub key: String,
    /// The limit, a whole number as text; absent for a feature.
    pub limit: Option<String>,
    /// Refused beyond the limit (hard) or only noted (soft).
    pub hard: bool,
}

impl From<crate::domain::entitlements::Entitlement> for EntitlementGrant {
    fn from(e: crate::domain::entitlements::Entitlement) -> Self {
        Self { key: e.key, limit: e.limit.map(|l| l.to_string()), hard: e.hard }
    }
}

/// One part of a priced quantity.
#[derive(SimpleObject)]
pub struct ChargePart {
    /// Units priced by this part.
    pub units: String,
    /// Price per unit (per package; the amount for a flat fee).
    pub unit_price: String,
    /// Units × price, exact.
    pub amount: String,
    /// The tier (0-based), when the model has tiers.
    pub tier: Option<i32>,
}

impl From<crate::domain::charges::Part> for ChargePart {
    fn from(p: crate::domain::charges::Part) -> Self {
        Self {
            units: text(p.units),
            unit_price: text(p.unit_price),
            amount: text(p.amount),
            tier: p.tier.map(|t| t as i32),
        }
    }
}

/// What a quantity of a metric costs on a plan.
#[derive(SimpleObject)]
pub struct ChargePreview {
    /// The total, rounded to the currency's minor unit.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What made it up, exact.
    pub parts: Vec<ChargePart>,
}

#[ComplexObject]
impl Plan {
    /// What `quantity` units of metric `metricCode` would cost in one
    /// period on this version.
    async fn preview_charge(&self, metric_code: String, quantity: String) -> Result<ChargePreview> {
        let q = decimal("quantity", &quantity)?;
        let model = self.models.iter().find(|(c, _)| *c == metric_code).map(|(_, m)| m).ok_or_else(|| {
            subgraph_kit::ApiError::bad_input(
                "metricCode",
                format!("this plan has no charge for {metric_code}"),
            )
        })?;
        let Priced { amount, parts } = model.price(q)?;
        let currency = Currency::parse("currency", &self.currency)?;
        let minor = currency.to_minor(amount)?;
        Ok(ChargePreview {
            amount: currency.from_minor(minor).to_string(),
            currency: self.currency.clone(),
            parts: parts.into_iter().map(ChargePart::from).collect(),
        })
    }
}
