//! Input types, and their conversion to the domain's.

use async_graphql::{Enum, InputObject};
use backbone_entities::billing::{metric::Aggregation, plan::BillingInterval as StoredInterval};
use serde_json::{Map, Value};
use subgraph_kit::{ApiError, ApiResult};

use super::decimal;
use crate::domain::{
    catalogue::{NewMetric, NewPlan},
    charges::{ChargeModel, Tier},
    entitlements::Entitlement,
};

subgraph_kit::mirror_enum!(
    /// How a metric's events add up over a period.
    MetricAggregation = Aggregation {
        /// How many events.
        Count,
        /// The sum of a payload field.
        Sum,
        /// The largest value of a payload field.
        Max,
        /// How many distinct values of a payload field.
        UniqueCount,
        /// The last value of a payload field.
        Latest,
    }
);

subgraph_kit::mirror_enum!(
    /// How often a plan bills.
    BillingInterval = StoredInterval {
        /// Every month.
        Monthly,
        /// Every year.
        Yearly,
    }
);

/// How a charge prices a quantity.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChargeModelKind {
    /// A fixed `amount` per period.
    Flat,
    /// Quantity × `unitPrice`.
    PerUnit,
    /// Each of `tiers` prices its own units.
    Graduated,
    /// The tier of the whole quantity prices every unit.
    Volume,
    /// Every started package of `packageSize` units after `freeUnits`
    /// costs `packagePrice`.
    Package,
}

/// A payload field an event must have this value in.
#[derive(InputObject)]
pub struct MetricFilterInput {
    /// Payload field.
    pub field: String,
    /// Its value, as text.
    pub value: String,
}

/// A billable metric.
#[derive(InputObject)]
pub struct CreateBillableMetricInput {
    /// Stable code: lowercase letters, digits, `_`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// How events add up.
    pub aggregation: MetricAggregation,
    /// The event type counted, e.g. `ai.usage_recorded`.
    pub event_type: String,
    /// The payload field read (all aggregations but COUNT).
    pub field: Option<String>,
    /// Only events with these payload values.
    #[graphql(default)]
    pub filters: Vec<MetricFilterInput>,
}

impl TryFrom<CreateBillableMetricInput> for NewMetric {
    type Error = ApiError;
    fn try_from(i: CreateBillableMetricInput) -> ApiResult<Self> {
        let mut filters = Map::new();
        for f in i.filters {
            filters.insert(f.field, Value::String(f.value));
        }
        Ok(Self {
            code: i.code,
            name: i.name,
            aggregation: i.aggregation.into(),
            event_type: i.event_type,
            field: i.field,
            filters,
        })
    }
}

/// One tier: the last unit it covers (none for the last, open tier), its
/// unit price and a flat fee.
#[derive(InputObject)]
pub struct TierInput {
    /// Last unit covered; absent for the last tier.
    pub up_to: Option<String>,
    /// Price per unit.
    pub unit_price: String,
    /// Added once when any unit falls in the tier.
    #[graphql(default_with = "\"0\".to_string()")]
    pub flat_fee: String,
}

/// A plan's charge for one metric. Which fields are needed depends on the
/// model.
#[derive(InputObject)]
pub struct ChargeInput {
    /// The billable metric's code.
    pub metric_code: String,
    /// The model.
    pub model: ChargeModelKind,
    /// FLAT: the amount.
    pub amount: Option<String>,
    /// PER_UNIT: the unit price.
    pub unit_price: Option<String>,
    /// GRADUATED and VOLUME: the tiers.
    #[graphql(default)]
    pub tiers: Vec<TierInput>,
    /// PACKAGE: units per package.
    pub package_size: Option<String>,
    /// PACKAGE: price of a package.
    pub package_price: Option<String>,
    /// PACKAGE: units free first.
    pub free_units: Option<String>,
}

fn needed(field: &str, v: Option<String>) -> ApiResult<rust_decimal::Decimal> {
    let text = v.ok_or_else(|| ApiError::bad_input(field, format!("this charge model needs {field}")))?;
    decimal(field, &text)
}

impl TryFrom<ChargeInput> for (String, ChargeModel) {
    type Error = ApiError;
    fn try_from(c: ChargeInput) -> ApiResult<Self> {
        let tiers = || -> ApiResult<Vec<Tier>> {
            c.tiers
                .iter()
                .map(|t| {
                    Ok(Tier {
                        up_to: t.up_to.as_deref().map(|u| decimal("upTo", u)).transpose()?,
                        unit_price: decimal("unitPrice", &t.unit_price)?,
                        flat_fee: decimal("flatFee", &t.flat_fee)?,
                    })
                })
                .collect()
        };
        let model = match c.model {
            ChargeModelKind::Flat => ChargeModel::Flat { amount: needed("amount", c.amount.clone())? },
            ChargeModelKind::PerUnit => {
                ChargeModel::PerUnit { unit_price: needed("unitPrice", c.unit_price.clone())? }
            }
            ChargeModelKind::Graduated => ChargeModel::Graduated { tiers: tiers()? },
            ChargeModelKind::Volume => ChargeModel::Volume { tiers: tiers()? },
            ChargeModelKind::Package => ChargeModel::Package {
                size: needed("packageSize", c.package_size.clone())?,
                price: needed("packagePrice", c.package_price.clone())?,
                free_units: c
                    .free_units
                    .as_deref()
                    .map(|f| decimal("freeUnits", f))
                    .transpose()?
                    .unwrap_or_default(),
            },
        };
        Ok((c.metric_code, model))
    }
}

/// A plan version.
#[derive(InputObject)]
pub struct PlanInput {
    /// Display name.
    pub name: String,
    /// How often it bills.
    pub interval: BillingInterval,
    /// ISO 4217 code; a plan keeps it across versions.
    pub currency: String,
    /// The subscription fee per interval, e.g. `"49.00"`.
    pub fee: String,
    /// Days free before the first charge.
    #[graphql(default)]
    pub trial_days: i32,
    /// Usage charges, in invoice order.
    #[graphql(default)]
    pub charges: Vec<ChargeInput>,
    /// What it grants.
    #[graphql(default)]
    pub entitlements: Vec<EntitlementInput>,
}

/// One grant of a plan: a feature (no limit) or a limit per month.
#[derive(InputObject)]
pub struct EntitlementInput {
    /// What it grants, e.g. `ai.tokens_per_month`.
    pub key: String,
    /// The limit, a whole number as text; absent for a feature that is on.
    pub limit: Option<String>,
    /// Refused beyond the limit (the default) or only noted.
    #[graphql(default = true)]
    pub hard: bool,
}

impl TryFrom<EntitlementInput> for Entitlement {
    type Error = ApiError;
    fn try_from(e: EntitlementInput) -> ApiResult<Self> {
        let limit = e
            .limit
            .map(|l| {
                l.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::bad_input("entitlements", format!("{l:?} is not a whole number")))
            })
            .transpose()?;
        Ok(Self { key: e.key, limit, hard: e.hard })
    }
}

impl TryFrom<PlanInput> for NewPlan {
    type Error = ApiError;
    fn try_from(p: PlanInput) -> ApiResult<Self> {
        Ok(Self {
            name: p.name,
            interval: p.interval.into(),
            currency: p.currency,
            fee: decimal("fee", &p.fee)?,
            trial_days: p.trial_days,
            charges: p.charges.into_iter().map(TryInto::try_into).collect::<ApiResult<_>>()?,
            entitlements: p.entitlements.into_iter().map(TryInto::try_into).collect::<ApiResult<_>>()?,
        })
    }
}
