//! Streaming completions: the same pre-flight as [`super::gateway::complete`],
//! then the provider's stream relayed delta by delta. Retries happen only
//! before the first delta; each wait is bounded by `llm.timeout_ms`. The
//! safety checks run on the whole answer at the end and the last chunk
//! carries their verdict (what was streamed cannot be unsent; clients hide
//! a flagged answer). The stream is driven by its own task, so a client
//! that leaves still gets its usage logged and its reservation settled.

use std::time::Duration;

use futures::StreamExt;
use subgraph_kit::{ApiResult, Kit};
use tokio::sync::mpsc;

use super::{
    gateway::{self, Call, Gateway, Outcome, Prepared, Produced},
    provider::{self, Failure},
};

/// One message to the subscriber.
#[derive(Debug)]
pub enum Chunk {
    /// More text.
    Delta(String),
    /// The end, with usage and the safety verdict.
    Done(Outcome),
}

/// Starts a streaming call; pre-flight refusals are returned at once.
pub async fn start(kit: &Kit, gw: &Gateway, call: Call) -> ApiResult<mpsc::Receiver<ApiResult<Chunk>>> {
    let prepared = gateway::prepare(kit, gw, call).await?;
    let (tx, rx) = mpsc::channel(64);
    let (kit, gw) = (kit.clone(), gw.clone());
    subgraph_kit::isolation::spawn(async move {
        let produced = relay(&gw, &prepared, &tx).await;
        let result = gateway::finish(&kit, &gw, prepared, produced).await.map(Chunk::Done);
        let _ = tx.send(result).await;
    });
    Ok(rx)
}

async fn relay(
    gw: &Gateway,
    p: &Prepared,
    tx: &mpsc::Sender<ApiResult<Chunk>>,
) -> Result<Produced, (Failure, u32)> {
    let Some(client) = gw.provider.as_ref() else { return Err((Failure::Rejected("no provider".into()), 0)) };
    let timeout = Duration::from_millis(gw.llm.timeout_ms);
    let request = gateway::chat_request(&gw.llm, p, true);
    let mut attempts = 0;
    let mut text = String::new();
    let mut usage = None;
    'attempt: loop {
        attempts += 1;
        let failure = match tokio::time::timeout(timeout, client.chat().create_stream(request.clone())).await
        {
            Err(_) => Failure::Timeout,
            Ok(Err(e)) => provider::classify(e),
            Ok(Ok(mut stream)) => loop {
                match tokio::time::timeout(timeout, stream.next()).await {
                    Err(_) => break Failure::Timeout,
                    Ok(None) => break 'attempt,
                    Ok(Some(Err(e))) => break provider::classify(e),
                    Ok(Some(Ok(chunk))) => {
                        if let Some(u) = chunk.usage {
                            usage = Some((i64::from(u.prompt_tokens), i64::from(u.completion_tokens)));
                        }
                        let delta: String =
                            chunk.choices.into_iter().filter_map(|c| c.delta.content).collect();
                        if delta.is_empty() {
                            continue;
                        }
                        text.push_str(&delta);
                        if tx.send(Ok(Chunk::Delta(delta))).await.is_err() {
                            // The subscriber left: stop reading, settle what was used.
                            break 'attempt;
                        }
                    }
                }
            },
        };
        tracing::warn!(attempt = attempts, failure = ?failure, "AI provider stream failed");
        let retryable = !matches!(failure, Failure::Rejected(_));
        if !text.is_empty() || !retryable || attempts > gw.llm.max_retries {
            return Err((failure, attempts));
        }
        tokio::time::sleep(provider::backoff(&gw.llm, attempts - 1)).await;
    }
    let (prompt_tokens, completion_tokens) =
        usage.unwrap_or_else(|| (gateway::estimate(p), gateway::estimate_text(&text)));
    Ok(Produced { text, prompt_tokens, completion_tokens, attempts })
}
