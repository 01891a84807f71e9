//! API types of the waitlist.

use async_graphql::{ComplexObject, Context, ID, InputObject, Result, SimpleObject};
use backbone_entities::scheduling::waitlist::{self, WaitlistStatus as StoredWaitlistStatus};
use chrono::{DateTime, Utc};
use subgraph_kit::graphql::allow;

use super::objects::{Appointment, User};

subgraph_kit::mirror_enum!(
    /// Where a waitlist entry is.
    WaitlistStatus = StoredWaitlistStatus {
        /// Waiting for a slot to free.
        Waiting,
        /// A freed slot is held for the patient (`offer`) until it lapses.
        Offered,
        /// The patient confirmed the offer.
        Booked,
        /// The offer lapsed unconfirmed; it went to the next in line.
        Expired,
        /// The patient turned the offer down.
        Declined,
        /// The patient left the list.
        Left,
    }
);

/// Joining the waitlist of a service for a time range.
#[derive(InputObject)]
pub struct JoinWaitlistInput {
    /// The service.
    pub service_id: ID,
    /// Earliest start wanted.
    pub from: DateTime<Utc>,
    /// Starts wanted before this.
    pub to: DateTime<Utc>,
    /// The patient's IANA time zone.
    pub time_zone: String,
    /// Who waits; the caller when absent. Staff add others.
    pub patient_id: Option<ID>,
}

/// A patient waiting for a service in a time range.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WaitlistEntry {
    /// Id.
    pub id: ID,
    /// The service wanted.
    pub service_id: ID,
    /// Who waits.
    pub patient: User,
    /// Earliest start wanted.
    #[graphql(name = "from")]
    pub from_at: DateTime<Utc>,
    /// Starts wanted before this.
    #[graphql(name = "to")]
    pub until_at: DateTime<Utc>,
    /// The patient's time zone.
    pub time_zone: String,
    /// Where it is.
    pub status: WaitlistStatus,
    /// Joined.
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub offer_id: Option<uuid::Uuid>,
}

#[ComplexObject]
impl WaitlistEntry {
    /// The hold offered to the patient (confirm it with
    /// `confirmAppointment`, turn it down with `cancelAppointment`).
    async fn offer(&self, ctx: &Context<'_>) -> Result<Option<Appointment>> {
        let Some(id) = self.offer_id else { return Ok(None) };
        let a = allow(ctx, "appointment", "read").await?;
        let viewer = super::viewer(&a);
        match crate::domain::find(&a.kit.db, a.caller.tenant_id, id, viewer).await {
            Ok(b) => Ok(Some(b.into())),
            Err(subgraph_kit::ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

impl From<waitlist::Model> for WaitlistEntry {
    fn from(e: waitlist::Model) -> Self {
        Self {
            id: e.id.into(),
            service_id: e.service_id.into(),
            patient: User { id: e.patient_id.into() },
            from_at: e.from_at,
            until_at: e.until_at,
            time_zone: e.time_zone,
            status: e.status.into(),
            created_at: e.created_at,
            offer_id: e.offer_id,
        }
    }
}
