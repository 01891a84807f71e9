//! What clients send besides scalars: a grant or withdrawal.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use super::objects::ConsentChannel;

/// A grant or withdrawal.
#[derive(InputObject)]
pub struct ConsentInput {
    /// The person; default the caller. Others need a tenant-wide grant.
    pub user_id: Option<ID>,
    /// The scope's key, e.g. `health_data.vitals`; a grant covers narrower scopes until one is withdrawn.
    pub scope: String,
    /// Version of the consent text the person saw.
    pub text_version: String,
    /// How the person gave it (`SYSTEM` is refused).
    #[graphql(default_with = "ConsentChannel::Web")]
    pub channel: ConsentChannel,
    /// When a grant lapses (grants only).
    pub expires_at: Option<DateTime<Utc>>,
}
