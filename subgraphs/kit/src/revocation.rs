//! Open subscriptions are re-checked on every event: when the caller's
//! credential has expired, their user or tenant has been deactivated, or a
//! permission one of the connection's subscriptions was started with has
//! been revoked, the next event is replaced by a coded error
//! (`UNAUTHENTICATED` or `FORBIDDEN`) and the subscription completes.
//!
//! With no event for `realtime.recheck_seconds`, the caller is re-checked
//! anyway, so an expired token ends its subscriptions on time.
//!
//! The checks read the grant cache, which role changes and deactivations
//! evict in every replica ([`crate::rbac::Rbac::follow`]), so an event costs
//! a cache lookup per permission, not a query.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::{
    Response, ServerError,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextSubscribe},
};
use futures::{StreamExt, stream::BoxStream};

use crate::{Auth, RequestContext, error::ApiError, state::Kit};

/// The permissions (`resource`, `action`) the subscriptions of one
/// WebSocket connection were started with; [`crate::graphql::allow`]
/// records them.
#[derive(Clone, Default)]
pub struct Checked(Arc<Mutex<BTreeSet<(String, String)>>>);

impl Checked {
    pub(crate) fn record(&self, resource: &str, action: &str) {
        if let Ok(mut set) = self.0.lock() {
            set.insert((resource.to_owned(), action.to_owned()));
        }
    }

    fn all(&self) -> Vec<(String, String)> {
        self.0.lock().map(|set| set.iter().cloned().collect()).unwrap_or_default()
    }
}

/// The extension doing the re-check.
pub struct Revocation;

impl ExtensionFactory for Revocation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Revocation)
    }
}

impl Extension for Revocation {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let caller = ctx.data_opt::<Auth>().and_then(|a| a.require().ok()).cloned();
        let kit = ctx.data_opt::<Kit>().cloned();
        let checked = ctx.data_opt::<Checked>().cloned().unwrap_or_default();
        let events = next.run(ctx, stream);
        let (Some(caller), Some(kit)) = (caller, kit) else { return events };
        let every = Duration::from_secs(kit.config.realtime.recheck_seconds.max(1));
        let ticks = futures::stream::unfold((), move |()| async move {
            tokio::time::sleep(every).await;
            Some((Item::Tick, ()))
        });
        // The events' end ends the merged stream too (the ticks never end).
        let events =
            events.map(|r| Item::Event(Box::new(r))).chain(futures::stream::once(async { Item::End }));
        let merged = futures::stream::select(events, ticks).boxed();
        let watch = Watch { kit, caller, checked };
        futures::stream::unfold(Some((merged, watch)), |state| async move {
            let (mut merged, watch) = state?;
            loop {
                let response = match merged.next().await? {
                    Item::End => return None,
                    Item::Tick => None,
                    Item::Event(response) => Some(*response),
                };
                match still_allowed(&watch.kit, &watch.caller, &watch.checked).await {
                    // The refusal is the last item: the subscription completes.
                    Err(e) => return Some((refusal(e), None)),
                    Ok(()) => {
                        if let Some(response) = response {
                            return Some((response, Some((merged, watch))));
                        }
                    }
                }
            }
        })
        .boxed()
    }
}

enum Item {
    Event(Box<Response>),
    Tick,
    End,
}

/// What a subscription is re-checked against.
struct Watch {
    kit: Kit,
    caller: RequestContext,
    checked: Checked,
}

fn refusal(e: ApiError) -> Response {
    let mut error = ServerError::new(e.to_string(), None);
    e.apply_to(&mut error);
    Response::from_errors(vec![error])
}

async fn still_allowed(kit: &Kit, caller: &RequestContext, checked: &Checked) -> Result<(), ApiError> {
    if caller.expires_at.is_some_and(|e| e <= chrono::Utc::now().timestamp()) {
        return Err(ApiError::Unauthenticated("token expired".into()));
    }
    kit.rbac.admit(caller).await?;
    for (resource, action) in checked.all() {
        kit.rbac.require(caller, &resource, &action).await?;
    }
    Ok(())
}
