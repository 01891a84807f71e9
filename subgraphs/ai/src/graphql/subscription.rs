//! The subscription root.

use async_graphql::{Context, Result, Subscription};
use futures::{Stream, StreamExt};
use subgraph_kit::graphql::allow;

use super::{gateway_of, inputs::VariableValue, objects::*, values};
use crate::domain::{
    gateway::Call,
    stream::{self, Chunk},
};

/// Subscription root.
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// `complete`, streamed: deltas, then a last chunk with the totals.
    async fn completion_stream(
        &self,
        ctx: &Context<'_>,
        template: String,
        version: Option<i32>,
        #[graphql(default)] variables: Vec<VariableValue>,
    ) -> Result<impl Stream<Item = Result<CompletionChunk>> + use<>> {
        let a = allow(ctx, "ai", "use").await?;
        let call = Call {
            tenant_id: a.caller.tenant_id,
            user_id: a.caller.user_id,
            template,
            version,
            variables: values(variables)?,
        };
        let rx = stream::start(a.kit, gateway_of(ctx)?, call).await?;
        Ok(tokio_stream_of(rx).map(|item| match item {
            Ok(Chunk::Delta(delta)) => Ok(CompletionChunk { delta, done: false, completion: None }),
            Ok(Chunk::Done(o)) => {
                Ok(CompletionChunk { delta: String::new(), done: true, completion: Some(o.into()) })
            }
            Err(e) => Err(e.into()),
        }))
    }
}

fn tokio_stream_of<T: Send + 'static>(mut rx: tokio::sync::mpsc::Receiver<T>) -> impl Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
