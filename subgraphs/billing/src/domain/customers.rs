//! Customers' billing profiles (country and region for taxes, invoice
//! prefix and counter) and the operator's tax rates by place.

use backbone_entities::billing::{customer, tax_rate};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::OnConflict,
};
use subgraph_kit::{ApiError, ApiResult, validate};
use uuid::Uuid;

use super::invoicing::Tax;

/// The prefix of invoice numbers until the operator sets one.
pub const DEFAULT_PREFIX: &str = "INV-";

/// A profile as the operator sets it.
pub struct Profile {
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// Region within it.
    pub region: Option<String>,
    /// Invoice number prefix.
    pub invoice_prefix: Option<String>,
    /// The card processor's customer; empty removes the saved card.
    pub card_customer: Option<String>,
    /// The saved payment method at the processor.
    pub card_payment_method: Option<String>,
}

/// A two-letter country code, upper-cased.
fn country(field: &str, value: &str) -> ApiResult<String> {
    let c = value.trim().to_ascii_uppercase();
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(ApiError::bad_input(field, "a country is its two-letter ISO 3166-1 code"))
    }
}

/// The tenant's profile, created with defaults the first time.
pub async fn profile(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<customer::Model> {
    let fresh = customer::ActiveModel {
        tenant_id: Set(tenant_id),
        country: Set(None),
        region: Set(None),
        invoice_prefix: Set(DEFAULT_PREFIX.to_owned()),
        next_number: Set(1),
        next_credit_number: Set(1),
        card_customer: Set(None),
        card_payment_method: Set(None),
        updated_at: Set(Utc::now()),
    };
    customer::Entity::insert(fresh)
        .on_conflict(OnConflict::column(customer::Column::TenantId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let mut q = customer::Entity::find_by_id(tenant_id);
    if subgraph_kit::db::is_postgres(db) {
        q = q.lock_exclusive();
    }
    q.one(db).await?.ok_or_else(|| ApiError::Internal("billing profile vanished".into()))
}

/// Sets the given parts of the tenant's profile.
pub async fn set_profile(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    p: Profile,
) -> ApiResult<customer::Model> {
    let current = profile(db, tenant_id).await?;
    let card_customer = match p.card_customer {
        Some(v) => processor_id("cardCustomer", &v)?,
        None => current.card_customer.clone(),
    };
    let card_payment_method = match p.card_payment_method {
        Some(v) => processor_id("cardPaymentMethod", &v)?,
        None => current.card_payment_method.clone(),
    };
    if card_customer.is_some() != card_payment_method.is_some() {
        return Err(ApiError::bad_input(
            "cardPaymentMethod",
            "a saved card is the processor's customer and payment method together",
        ));
    }
    let mut row: customer::ActiveModel = current.into();
    row.card_customer = Set(card_customer);
    row.card_payment_method = Set(card_payment_method);
    if let Some(c) = p.country {
        row.country = Set(Some(country("country", &c)?));
    }
    if let Some(r) = p.region {
        row.region = Set(Some(validate::name("region", &r)?).filter(|r| !r.is_empty()));
    }
    if let Some(prefix) = p.invoice_prefix {
        let ok = (1..=12).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/');
        if !ok {
            return Err(ApiError::bad_input("invoicePrefix", "1 to 12 letters, digits, - or /"));
        }
        row.invoice_prefix = Set(prefix);
    }
    row.updated_at = Set(Utc::now());
    Ok(row.update(db).await?)
}

/// A processor's id (`cus_…`, `pm_…`): up to 255 letters, digits and `_`;
/// empty for none.
fn processor_id(field: &str, value: &str) -> ApiResult<Option<String>> {
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > 255 || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(ApiError::bad_input(field, "the card processor's id: letters, digits and _"));
    }
    Ok(Some(value.to_owned()))
}

/// The tenants with a saved card, as a subquery.
pub(crate) fn with_card() -> sea_orm::sea_query::SelectStatement {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, QueryTrait};
    customer::Entity::find()
        .select_only()
        .column(customer::Column::TenantId)
        .filter(customer::Column::CardPaymentMethod.is_not_null())
        .into_query()
}

/// A rate as the operator sets it.
pub struct NewRate {
    /// Country.
    pub country: String,
    /// Region, or none for the whole country.
    pub region: Option<String>,
    /// Name on invoices.
    pub name: String,
    /// Percent.
    pub rate: Decimal,
    /// Prices include it.
    pub inclusive: bool,
}

/// Sets the rate of a country or of one region of it (replacing one set
/// before; invoices already computed keep the rate they were given).
pub async fn set_tax_rate(db: &impl ConnectionTrait, r: NewRate) -> ApiResult<tax_rate::Model> {
    let country = country("country", &r.country)?;
    let region = r.region.as_deref().map(|x| validate::name("region", x)).transpose()?.unwrap_or_default();
    let name = validate::name("name", &r.name)?;
    if r.rate.is_sign_negative() || r.rate >= Decimal::ONE_HUNDRED {
        return Err(ApiError::bad_input("rate", "a tax rate is a percent from 0 to below 100"));
    }
    let row = tax_rate::ActiveModel {
        id: Set(Uuid::now_v7()),
        country: Set(country.clone()),
        region: Set(region.clone()),
        name: Set(name),
        rate: Set(r.rate.normalize().to_string()),
        inclusive: Set(r.inclusive),
        updated_at: Set(Utc::now()),
    };
    tax_rate::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([tax_rate::Column::Country, tax_rate::Column::Region])
                .update_columns([
                    tax_rate::Column::Name,
                    tax_rate::Column::Rate,
                    tax_rate::Column::Inclusive,
                    tax_rate::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    rate_at(db, &country, &region).await?.ok_or_else(|| ApiError::Internal("tax rate vanished".into()))
}

async fn rate_at(
    db: &impl ConnectionTrait,
    country: &str,
    region: &str,
) -> ApiResult<Option<tax_rate::Model>> {
    Ok(tax_rate::Entity::find()
        .filter(tax_rate::Column::Country.eq(country))
        .filter(tax_rate::Column::Region.eq(region))
        .one(db)
        .await?)
}

/// The tax for `customer`: its region's rate, else its country's, else
/// none (a customer without a country is not taxed).
pub async fn tax_for(db: &impl ConnectionTrait, customer: &customer::Model) -> ApiResult<Option<Tax>> {
    let Some(country) = customer.country.as_deref() else { return Ok(None) };
    let mut rate = None;
    if let Some(region) = customer.region.as_deref() {
        rate = rate_at(db, country, region).await?;
    }
    if rate.is_none() {
        rate = rate_at(db, country, "").await?;
    }
    rate.map(|r| {
        let percent = r.rate.parse().map_err(|e| ApiError::Internal(format!("stored tax rate: {e}")))?;
        Ok(Tax { name: r.name, rate: percent, inclusive: r.inclusive })
    })
    .transpose()
}

/// Every tax rate, by place.
pub async fn tax_rates(db: &impl ConnectionTrait) -> ApiResult<Vec<tax_rate::Model>> {
    use sea_orm::QueryOrder;
    Ok(tax_rate::Entity::find()
        .order_by_asc(tax_rate::Column::Country)
        .order_by_asc(tax_rate::Column::Region)
        .all(db)
        .await?)
}
