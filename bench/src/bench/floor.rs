//! `backbone-bench bench-subscriptions --floor`: the same fan-out with no
//! GraphQL, no WebSocket and no database: a bare TCP server process (one
//! task per connection, woken by one broadcast, as the router's feeds
//! are) writes a fixed frame to N plain TCP clients. What it measures is
//! what this machine's loopback network stack and scheduler cost on their
//! own, so the router's numbers can be read against it.

use std::{
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{Semaphore, broadcast},
};

use super::subscriptions::{Spread, Tally};

/// Bytes per event: the size of the router's `next` frame in the
/// subscription benchmark (≈ 190 bytes with its WebSocket header).
pub const FRAME: usize = 200;

/// One floor run.
pub struct Floor {
    /// Latency, trigger sent → frame read.
    pub latency: Spread,
    /// Deliveries that did not arrive within 30 s.
    pub missing: usize,
}

/// The server side (`backbone-bench bench-floor-server`, a child process),
/// on a free port it prints: the first connection is the control line;
/// each byte read from it sends one frame to every other connection.
/// Exits when the control line closes.
pub async fn serve() -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    println!("{}http://{}", backbone::child::LISTENING, listener.local_addr()?);
    let (mut control, _) = listener.accept().await?;
    let (tx, _) = broadcast::channel::<Arc<[u8]>>(16);
    let subscribe = tx.clone();
    tokio::spawn(async move {
        loop {
            let mut socket = match listener.accept().await {
                Ok((socket, _)) => socket,
                // Out of descriptors or a connection reset while queued:
                // the next accept may still succeed.
                Err(e) => {
                    eprintln!("floor server: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let _ = socket.set_nodelay(true);
            let mut rx = subscribe.subscribe();
            tokio::spawn(async move {
                // Tells the client it is subscribed: a connect returns
                // before the server has accepted it.
                if socket.write_all(b"!").await.is_err() {
                    return;
                }
                loop {
                    let frame = match rx.recv().await {
                        Ok(frame) => frame,
                        Err(broadcast::error::RecvError::Lagged(n)) => {
                            eprintln!("floor server: a connection missed {n} frames");
                            continue;
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    };
                    if let Err(e) = socket.write_all(&frame).await {
                        eprintln!("floor server: write failed: {e}");
                        return;
                    }
                }
            });
        }
    });
    let frame: Arc<[u8]> = vec![b'x'; FRAME].into();
    let mut byte = [0u8; 1];
    while control.read_exact(&mut byte).await.is_ok() {
        let _ = tx.send(frame.clone());
    }
    Ok(())
}

/// Runs the floor for `n` clients and `events` frames.
pub async fn run(n: usize, events: usize) -> anyhow::Result<Floor> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.arg("bench-floor-server");
    let mut server = tokio::task::spawn_blocking(move || {
        backbone::child::spawn(&mut cmd, backbone::child::LISTENING, Duration::from_secs(10))
    })
    .await?
    .context("start the floor server")?;
    let port = server.base.rsplit(':').next().and_then(|p| p.parse().ok()).context("floor server port")?;
    let result = clients(port, n, events).await;
    server.stop();
    result
}

async fn clients(port: u16, n: usize, events: usize) -> anyhow::Result<Floor> {
    let mut control = connect(port).await?;
    let clock = Instant::now();
    let tally = Arc::new(Tally::new(n, events));
    let gate = Arc::new(Semaphore::new(256));
    let mut ready = Vec::with_capacity(n);
    for i in 0..n {
        let (gate, tally) = (gate.clone(), tally.clone());
        ready.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await?;
            let mut socket = TcpStream::connect(("127.0.0.1", port)).await?;
            socket.set_nodelay(true)?;
            socket.read_exact(&mut [0u8; 1]).await?;
            drop(permit);
            tokio::spawn(async move {
                let mut frame = [0u8; FRAME];
                let mut seen = 0;
                while socket.read_exact(&mut frame).await.is_ok() {
                    if seen < tally.events {
                        tally.stamp(i, seen, clock);
                        seen += 1;
                    }
                }
            });
            anyhow::Ok(())
        }));
    }
    for r in ready {
        r.await??;
    }
    // As in the router run: let every connection settle before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut latencies = Vec::with_capacity(n * events);
    let mut missing = 0;
    for k in 0..events {
        let sent = Instant::now();
        control.write_all(b"x").await?;
        let _ = tokio::time::timeout(Duration::from_secs(30), tally.all_in(k)).await;
        let (round, lost) = tally.latencies(k, sent, clock);
        latencies.extend(round);
        missing += lost;
    }
    Ok(Floor { latency: Spread::of(latencies), missing })
}

/// The control line (the server listens before it prints its address).
async fn connect(port: u16) -> anyhow::Result<TcpStream> {
    let s = TcpStream::connect(("127.0.0.1", port)).await.context("floor server control line")?;
    s.set_nodelay(true)?;
    Ok(s)
}
