//! Queries: the catalogue, for anyone who may read billing.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use subgraph_kit::graphql::allow;
use subgraph_kit::{ApiError, pagination::Page};

use chrono::{DateTime, Utc};

use super::{
    credits::{CreditNote, WalletBalance, WalletEntry},
    invoices::{BillingProfile, Invoice, TaxRate},
    objects::{BillableMetric, Plan},
    readable,
    subscription::Tenant,
    usage::MeteredUsage,
};
use crate::domain::{
    catalogue, credit_notes, customers, invoices,
    money::Currency,
    usage::{self, Period},
    wallet,
};

/// A customer's wallet.
#[derive(async_graphql::SimpleObject)]
pub struct Wallet {
    /// The balance in each currency it holds.
    pub balances: Vec<WalletBalance>,
    /// The latest entries (at most 100), newest first.
    pub entries: Vec<WalletEntry>,
}

/// Query root.
pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// Every billable metric, by code.
    async fn billable_metrics(&self, ctx: &Context<'_>) -> Result<Vec<BillableMetric>> {
        let a = allow(ctx, "billing", "read").await?;
        Ok(catalogue::metrics(&a.kit.db).await?.into_iter().map(BillableMetric::from).collect())
    }

    /// The latest version of every plan, by code.
    async fn plans(&self, ctx: &Context<'_>) -> Result<Vec<Plan>> {
        let a = allow(ctx, "billing", "read").await?;
        Ok(catalogue::plans(&a.kit.db).await?.into_iter().map(Plan::from).collect())
    }

    /// Plan `code` at `version` (the latest when absent).
    async fn plan(&self, ctx: &Context<'_>, code: String, version: Option<i32>) -> Result<Plan> {
        let a = allow(ctx, "billing", "read").await?;
        Ok(catalogue::plan(&a.kit.db, &code, version).await?.into())
    }

    /// How much of metric `metricCode` the caller's tenant used from
    /// `from` until before `to`, by when the usage happened.
    async fn metered_usage(
        &self,
        ctx: &Context<'_>,
        metric_code: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<MeteredUsage> {
        let a = allow(ctx, "billing", "read").await?;
        let period = Period::new(from, to)?;
        let metric = catalogue::metric(&a.kit.db, &metric_code).await?;
        let quantity = usage::quantity(&a.kit.db, a.caller.tenant_id, &metric, period).await?;
        Ok(MeteredUsage { metric: metric.into(), from, to, quantity: quantity.to_string() })
    }

    /// A tenant's invoices, newest first: the caller's own (the operator
    /// names any tenant).
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        tenant_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Invoice>> {
        let (kit, tenant) = readable(ctx, tenant_id.as_ref()).await?;
        let tenant = tenant.ok_or_else(|| ApiError::bad_input("tenantId", "name the tenant"))?;
        let page = Page::new(first, after)?;
        let rows = invoices::list(&kit.db, tenant, &page).await?.try_map(Invoice::of)?;
        Ok(rows.connection_at(|i| i))
    }

    /// One invoice of the caller's tenant (of any, for the operator).
    async fn invoice(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let (kit, tenant) = readable(ctx, None).await?;
        let id = id.parse().map_err(|_| ApiError::NotFound("no such invoice".into()))?;
        Ok(Invoice::of(invoices::get(&kit.db, tenant, id).await?)?)
    }

    /// A tenant's billing profile: the caller's own (the operator names
    /// any tenant).
    async fn billing_profile(&self, ctx: &Context<'_>, tenant_id: Option<ID>) -> Result<BillingProfile> {
        let (kit, tenant) = readable(ctx, tenant_id.as_ref()).await?;
        let tenant = tenant.ok_or_else(|| ApiError::bad_input("tenantId", "name the tenant"))?;
        Ok(customers::profile(&kit.db, tenant).await?.into())
    }

    /// A tenant's wallet: the balance per currency and the latest entries
    /// (the caller's own; the operator names any tenant).
    async fn wallet(&self, ctx: &Context<'_>, tenant_id: Option<ID>) -> Result<Wallet> {
        let (kit, tenant) = readable(ctx, tenant_id.as_ref()).await?;
        let tenant = tenant.ok_or_else(|| ApiError::bad_input("tenantId", "name the tenant"))?;
        let entries = wallet::entries(&kit.db, tenant).await?;
        let mut balances: Vec<WalletBalance> = Vec::new();
        for code in entries.iter().map(|e| e.currency.clone()).collect::<std::collections::BTreeSet<_>>() {
            let currency = Currency::parse("currency", &code)?;
            let balance = currency.from_minor(wallet::balance(&kit.db, tenant, currency).await?).to_string();
            balances.push(WalletBalance { currency: code, balance });
        }
        Ok(Wallet { balances, entries: entries.into_iter().map(WalletEntry::from).collect() })
    }

    /// The credit notes of invoice `invoiceId` (of the caller's tenant).
    async fn credit_notes(&self, ctx: &Context<'_>, invoice_id: ID) -> Result<Vec<CreditNote>> {
        let (kit, tenant) = readable(ctx, None).await?;
        let id = invoice_id.parse().map_err(|_| ApiError::NotFound("no such invoice".into()))?;
        let invoice = invoices::get(&kit.db, tenant, id).await?;
        let mut out = Vec::new();
        for n in credit_notes::of_invoice(&kit.db, invoice.row.id).await? {
            out.push(CreditNote::of(n, &kit.db).await?);
        }
        Ok(out)
    }

    /// The operator's tax rates, by country and region.
    async fn tax_rates(&self, ctx: &Context<'_>) -> Result<Vec<TaxRate>> {
        let (kit, _) = readable(ctx, None).await?;
        Ok(customers::tax_rates(&kit.db).await?.into_iter().map(TaxRate::from).collect())
    }

    /// Federation: a tenant, to which billing adds its subscription and
    /// usage.
    #[graphql(entity)]
    async fn find_tenant_by_id(&self, id: ID) -> Tenant {
        Tenant { id }
    }
}
