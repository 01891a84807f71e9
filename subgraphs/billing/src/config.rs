//! The `[billing]` table of the configuration.

use std::sync::Arc;

use secrecy::SecretString;
use serde::Deserialize;
use subgraph_kit::config::Section;

use crate::domain::{
    processor::{CardProcessor, Stripe},
    subscriptions::Timing,
};

/// `[billing]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BillingConfig {
    /// When a plan change takes effect if the operator does not say:
    /// `immediately` (the period is split and each plan's fee charged for
    /// its part) or `at_period_end`.
    pub plan_change: Timing,
    /// Milliseconds between passes of the worker that renews subscriptions
    /// whose period has ended and finalizes drafts whose grace is over.
    pub sweep_interval_ms: u64,
    /// Hours a period's draft invoice may be corrected (and late usage
    /// still counts in it) before it is finalized.
    pub grace_hours: u32,
    /// Days after finalization an invoice falls due.
    pub payment_terms_days: u32,
    /// Days past its due date an unpaid invoice suspends the tenant's
    /// entitlements (until paid).
    pub suspend_after_days: u32,
    /// `[billing.card]`: the card processor.
    pub card: CardConfig,
}

/// `[billing.card]`: the card processor that charges customers' saved
/// cards. Card payments are off until `secret_key` is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CardConfig {
    /// Where its API answers (Stripe's, or anything speaking it).
    pub api_base: String,
    /// Its secret API key (`BACKBONE_BILLING__CARD__SECRET_KEY`).
    pub secret_key: Option<SecretString>,
    /// Milliseconds a call may take before it counts as unanswered.
    pub timeout_ms: u64,
    /// Whether the sweep charges each invoice it finalizes to the
    /// customer's saved card, once.
    pub auto_collect: bool,
}

impl Default for CardConfig {
    fn default() -> Self {
        Self {
            api_base: "https://api.stripe.com".into(),
            secret_key: None,
            timeout_ms: 10_000,
            auto_collect: true,
        }
    }
}

impl BillingConfig {
    /// [`BillingConfig::grace_hours`] as a duration.
    pub fn grace(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.grace_hours))
    }

    /// [`BillingConfig::payment_terms_days`] as a duration.
    pub fn payment_terms(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.payment_terms_days))
    }

    /// The card processor, when one is configured.
    pub fn processor(&self) -> Option<Arc<dyn CardProcessor>> {
        let secret = self.card.secret_key.clone()?;
        let timeout = std::time::Duration::from_millis(self.card.timeout_ms);
        Some(Arc::new(Stripe::new(&self.card.api_base, secret, timeout)))
    }

    /// [`BillingConfig::suspend_after_days`] as a duration.
    pub fn suspend_after(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.suspend_after_days))
    }
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            plan_change: Timing::Immediately,
            sweep_interval_ms: 30_000,
            grace_hours: 72,
            payment_terms_days: 14,
            suspend_after_days: 30,
            card: CardConfig::default(),
        }
    }
}

impl Section for BillingConfig {
    fn validate(&self) -> Result<(), String> {
        if self.sweep_interval_ms == 0 {
            return Err("[billing] sweep_interval_ms must be positive".into());
        }
        if self.card.timeout_ms == 0 {
            return Err("[billing.card] timeout_ms must be positive".into());
        }
        if !self.card.api_base.starts_with("https://") && !self.card.api_base.starts_with("http://") {
            return Err("[billing.card] api_base must be an http(s) URL".into());
        }
        Ok(())
    }
}
