//! Mutations of the customer's money (platform operator only): billing
//! profiles and tax rates, invoices through their states, coupons, wallet
//! top-ups and credit notes.

use async_graphql::{Context, ID, Object, Result};
use backbone_entities::billing::payment::PaymentMethod;
use subgraph_kit::context::AuthExt;

use super::{
    cards,
    credits::{Coupon, CouponInput, CreditNote, Payment, PaymentMethodInput, WalletEntry},
    decimal,
    invoices::{BillingProfile, BillingProfileInput, Invoice, TaxRate, TaxRateInput},
    operator, settings,
};
use crate::domain::{
    collection, coupons, credit_notes,
    customers::{self, NewRate},
    finalization, invoices, payments, subscriptions, wallet,
};

/// Invoices, profiles, taxes and credits.
#[derive(Default)]
pub struct MoneyMutation;

#[Object]
impl MoneyMutation {
    /// Sets parts of tenant `tenantId`'s billing profile: its country and
    /// region (which tax applies), its invoice prefix, its saved card at
    /// the card processor (platform operator only).
    async fn set_billing_profile(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        input: BillingProfileInput,
    ) -> Result<BillingProfile> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        Ok(customers::set_profile(&kit.db, tenant, input.into()).await?.into())
    }

    /// Sets the tax rate of a country or a region of it; invoices already
    /// computed keep theirs (platform operator only).
    async fn set_tax_rate(&self, ctx: &Context<'_>, input: TaxRateInput) -> Result<TaxRate> {
        let kit = operator(ctx)?;
        let rate = NewRate {
            rate: decimal("rate", &input.rate)?,
            country: input.country,
            region: input.region,
            name: input.name,
            inclusive: input.inclusive,
        };
        Ok(customers::set_tax_rate(&kit.db, rate).await?.into())
    }

    /// Recomputes draft invoice `id` from the usage and tax as they are
    /// now (platform operator only).
    async fn refresh_invoice(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let kit = operator(ctx)?;
        Ok(Invoice::of(invoices::refresh(&kit.db, invoice_id_of(&id)?).await?)?)
    }

    /// Adds a correction to draft invoice `id`: `amount` in the invoice's
    /// currency, negative to take off (platform operator only).
    async fn add_invoice_adjustment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        description: String,
        amount: String,
    ) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let amount = decimal("amount", &amount)?;
        Ok(Invoice::of(invoices::adjust(&kit.db, invoice_id_of(&id)?, &description, amount).await?)?)
    }

    /// Finalizes draft invoice `id` now, before its grace period ends
    /// (platform operator only).
    async fn finalize_invoice(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        let terms = settings(ctx)?.payment_terms();
        Ok(Invoice::of(finalization::finalize(&kit.db, invoice_id_of(&id)?, actor, terms).await?)?)
    }

    /// Marks finalized invoice `id` paid: a payment by hand of all it
    /// still asks (platform operator only).
    async fn mark_invoice_paid(&self, ctx: &Context<'_>, id: ID) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        let id = invoice_id_of(&id)?;
        let after = settings(ctx)?.suspend_after();
        payments::record(&kit.db, id, None, PaymentMethod::Manual, "Marked paid", actor, after).await?;
        Ok(Invoice::of(invoices::get(&kit.db, None, id).await?)?)
    }

    /// Records a payment against finalized invoice `invoiceId`: `amount`
    /// (all it still asks when absent), how it came and its reference.
    async fn record_payment(
        &self,
        ctx: &Context<'_>,
        invoice_id: ID,
        amount: Option<String>,
        method: PaymentMethodInput,
        reference: String,
    ) -> Result<Payment> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        let amount = amount.map(|a| decimal("amount", &a)).transpose()?;
        let after = settings(ctx)?.suspend_after();
        let id = invoice_id_of(&invoice_id)?;
        if method == PaymentMethodInput::Card {
            let msg = "a card payment is made by chargeInvoice, through the card processor";
            return Err(subgraph_kit::ApiError::bad_input("method", msg).into());
        }
        let p = payments::record(&kit.db, id, amount, method.into(), &reference, actor, after).await?;
        Ok(Payment::of(p, &kit.db).await?)
    }

    /// Charges what finalized invoice `id` still asks to the customer's
    /// saved card, through the card processor (platform operator only).
    /// `CONFLICT` with reason `NO_CARD`, `CARD_DECLINED` or
    /// `NO_CARD_PROCESSOR`; `SUBGRAPH_UNAVAILABLE` when the processor does
    /// not answer (charging again then cannot charge twice).
    async fn charge_invoice(&self, ctx: &Context<'_>, id: ID) -> Result<Payment> {
        let kit = operator(ctx)?;
        let processor = cards(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        let after = settings(ctx)?.suspend_after();
        let p = collection::charge_invoice(&kit.db, processor, invoice_id_of(&id)?, actor, after).await?;
        Ok(Payment::of(p, &kit.db).await?)
    }

    /// Gives back `amount` (all that is left of it when absent) of
    /// payment `paymentId`, with the reason.
    async fn refund_payment(
        &self,
        ctx: &Context<'_>,
        payment_id: ID,
        amount: Option<String>,
        reason: String,
    ) -> Result<Payment> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        let amount = amount.map(|a| decimal("amount", &a)).transpose()?;
        let id =
            payment_id.parse().map_err(|_| subgraph_kit::ApiError::NotFound("no such payment".into()))?;
        let processor = cards(ctx).ok();
        let r = collection::refund(&kit.db, processor, id, amount, &reason, actor).await?;
        Ok(Payment::of(r, &kit.db).await?)
    }

    /// Voids finalized invoice `id`; it keeps its number (platform
    /// operator only).
    async fn void_invoice(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Invoice> {
        let kit = operator(ctx)?;
        let actor = Some(ctx.caller()?.user_id);
        Ok(Invoice::of(finalization::void(&kit.db, invoice_id_of(&id)?, actor, &reason).await?)?)
    }

    /// Adds a coupon: a percent or an amount in one currency off
    /// invoices before tax, for `periods` invoices or every one.
    async fn create_coupon(&self, ctx: &Context<'_>, input: CouponInput) -> Result<Coupon> {
        let kit = operator(ctx)?;
        Ok(coupons::create(&kit.db, input.try_into()?).await?.into())
    }

    /// Redeems coupon `code` for tenant `tenantId`: it applies to its next
    /// invoices, after the coupons it redeemed before.
    async fn redeem_coupon(&self, ctx: &Context<'_>, tenant_id: ID, code: String) -> Result<bool> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        coupons::redeem(&kit.db, tenant, &code).await?;
        Ok(true)
    }

    /// Records a prepayment into tenant `tenantId`'s wallet: `amount` in
    /// `currency`, used on its invoices at finalization, after tax.
    async fn top_up_wallet(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        currency: String,
        amount: String,
        description: String,
    ) -> Result<WalletEntry> {
        let kit = operator(ctx)?;
        let tenant = subscriptions::customer(&kit.db, &tenant_id).await?;
        let amount = decimal("amount", &amount)?;
        Ok(wallet::top_up(&kit.db, tenant, &currency, amount, &description).await?.into())
    }

    /// Credits finalized invoice `invoiceId`: `amount` tax included (the
    /// whole remaining total when absent), with the reason.
    async fn issue_credit_note(
        &self,
        ctx: &Context<'_>,
        invoice_id: ID,
        amount: Option<String>,
        reason: String,
    ) -> Result<CreditNote> {
        let kit = operator(ctx)?;
        let amount = amount.map(|a| decimal("amount", &a)).transpose()?;
        let actor = Some(ctx.caller()?.user_id);
        let note = credit_notes::issue(&kit.db, invoice_id_of(&invoice_id)?, amount, &reason, actor).await?;
        Ok(CreditNote::of(note, &kit.db).await?)
    }
}

fn invoice_id_of(id: &ID) -> subgraph_kit::ApiResult<uuid::Uuid> {
    id.parse().map_err(|_| subgraph_kit::ApiError::NotFound(format!("no invoice {}", id.as_str())))
}
