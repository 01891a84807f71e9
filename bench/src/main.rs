//! `backbone-bench`: the load generators and benchmark subgraphs, kept out
//! of the `backbone` binary so it ships only the platform
//! (docs/benchmarks.md). Each command is a `bench-*`.

mod bench;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Backbone's benchmarks.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./backbone.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// (internal) `backbone router`, for run a of `bench`.
    #[command(hide = true)]
    Router,
    /// (internal) The whole graph in dev mode, seeded, for
    /// `bench-subscriptions`.
    #[command(hide = true)]
    Dev,
    /// Benchmarks the router against four test subgraphs (see docs/benchmarks.md).
    Bench {
        /// Concurrent clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Measured seconds per run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Warm-up seconds per run.
        #[arg(long, default_value_t = 2)]
        warmup: u64,
        /// Also measure this Hive Router binary on the same graph.
        #[arg(long)]
        compare_hive: Option<PathBuf>,
    },
    /// Benchmarks subscriptions: N WebSocket subscribers on one router
    /// (see docs/benchmarks.md).
    BenchSubscriptions {
        /// Subscriber counts, one run each.
        #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
        subscribers: Vec<usize>,
        /// Status changes per run.
        #[arg(long, default_value_t = 20)]
        events: usize,
        /// Distinct tokens the subscribers are spread over (one feed each).
        #[arg(long, default_value_t = 1)]
        feeds: usize,
        /// Print each event's first, median, p99 and last delivery.
        #[arg(long)]
        per_round: bool,
        /// Also measure the same fan-out over bare TCP (no GraphQL,
        /// WebSocket or database): this machine's floor.
        #[arg(long)]
        floor: bool,
    },
    /// The bare TCP server of `bench-subscriptions --floor` (started by it).
    #[command(hide = true)]
    BenchFloorServer,
    /// Benchmarks offline sync on Postgres: devices upload batches of
    /// events to the sync subgraph; events/s acknowledged and on the bus,
    /// batch latency (see docs/benchmarks.md).
    BenchSync {
        /// Simulated devices.
        #[arg(long, default_value_t = 200)]
        devices: usize,
        /// Events per batch.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Batches in all.
        #[arg(long, default_value_t = 400)]
        batches: usize,
        /// Connections sending at once.
        #[arg(long, default_value_t = 20)]
        clients: usize,
        /// The Postgres database.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// Outbox rows the relay publishes a pass (`outbox.batch_size`;
        /// default: the configured default).
        #[arg(long)]
        relay_batch: Option<u64>,
    },
    /// Benchmarks `hasConsent` through the router and memory recall over
    /// 10k / 100k memories (see docs/benchmarks.md).
    BenchPrivacy {
        /// Concurrent clients for `hasConsent`.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Measured seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Memory counts, one recall run each.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        memories: Vec<usize>,
        /// Postgres URL for recall on Postgres too.
        #[arg(long)]
        postgres_url: Option<String>,
    },
    /// Benchmarks the REST layer against the same operation over GraphQL
    /// through the router (`GET /v1/complaints/{id}`).
    BenchRest {
        /// Concurrent clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Measured seconds per round.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Rounds of each, alternating.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Measures what metrics and traces cost the router: plain, metrics on,
    /// and metrics with 1 % traces to an OTLP sink.
    BenchOverhead(Comparison),
    /// Measures what shaping a merged field costs the router: the
    /// benchmark query against the same query with fields selected twice
    /// with different sub-selections.
    BenchMerged(Comparison),
    /// Benchmarks the production topology as separate processes on
    /// Postgres and Redis: subscription delivery across routers, and a
    /// federated query through one and two routers (needs the `backbone`
    /// binary beside this one).
    BenchStack {
        /// Concurrent clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Measured seconds per run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Status changes whose delivery is timed.
        #[arg(long, default_value_t = 200)]
        events: usize,
        /// Postgres server to create the database on.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
        postgres_url: String,
        /// Redis.
        #[arg(long, default_value = "redis://127.0.0.1:6379")]
        redis_url: String,
    },
    /// Benchmarks free-slot search and booking over 200 resources and a
    /// year of appointments (see docs/benchmarks.md).
    BenchScheduling {
        /// Appointments seeded.
        #[arg(long, default_value_t = 100_000)]
        appointments: usize,
        /// Searches measured per kind.
        #[arg(long, default_value_t = 200)]
        searches: usize,
        /// Concurrent booking clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Bookings each client attempts.
        #[arg(long, default_value_t = 20)]
        per_client: usize,
        /// Postgres URL for a Postgres run too.
        #[arg(long)]
        postgres_url: Option<String>,
    },
    /// Benchmarks documents: PDF generation on one core and verification
    /// of 1 MB PDFs (see docs/benchmarks.md).
    BenchDocuments {
        /// Renders measured.
        #[arg(long, default_value_t = 300)]
        renders: usize,
        /// Verifications measured.
        #[arg(long, default_value_t = 500)]
        verifies: usize,
    },
    /// Benchmarks billing: usage events metered from the bus, a month
    /// invoiced for every tenant, and the entitlement check (see
    /// docs/benchmarks.md).
    BenchBilling {
        /// Usage events published.
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
        /// Customer tenants.
        #[arg(long, default_value_t = 1_000)]
        tenants: usize,
        /// Entitlement checks measured per run.
        #[arg(long, default_value_t = 10_000)]
        checks: usize,
        /// Postgres URL for a Postgres run too.
        #[arg(long)]
        postgres_url: Option<String>,
        /// Events' times spread over the month in no order (a backfill)
        /// rather than in the order they happened.
        #[arg(long)]
        shuffled_times: bool,
    },
    /// (internal) The router with the benchmark subgraphs in-process.
    #[command(hide = true)]
    BenchServe,
}

/// How `bench-overhead` and `bench-merged` compare their contenders: in
/// rotating throughput rounds by default.
#[derive(clap::Args, Debug)]
struct Comparison {
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Measured seconds per round.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Rounds of each.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Instead of throughput rounds, count instructions per request under
    /// callgrind over this many requests of each.
    #[arg(long)]
    instructions: Option<usize>,
    /// Routers on core 1, the load generator and subgraphs on core 0
    /// (needs two cores and `taskset`).
    #[arg(long)]
    pin: bool,
    /// Load the contenders at once, each client sending one request to
    /// each in turn, and compare their CPU time per request round by round
    /// (what a drifting host cannot skew).
    #[arg(long)]
    interleaved: bool,
}

impl Comparison {
    fn load(&self) -> bench::Settings {
        bench::Settings { clients: self.clients, seconds: self.seconds, warmup: 2, compare_hive: None }
    }
}

/// The same allocator as `backbone`, so the router measured is the router
/// shipped.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = backbone::subgraphs::load_config(cli.config.as_deref())?;
    // The measured router exports traces as `backbone router` does.
    let traces = match cli.command {
        Command::Router => {
            backbone_edge::traces::Traces::start(&config.tracing, "router").map_err(anyhow::Error::msg)?
        }
        _ => None,
    };
    backbone::init_logging(traces.as_ref());
    let result = run(cli.command, config).await;
    if let Some(traces) = traces {
        traces.shutdown();
    }
    result
}

async fn run(command: Command, config: subgraph_kit::config::Config) -> anyhow::Result<()> {
    match command {
        Command::Router => backbone::serve_router(config).await,
        Command::Dev => {
            let graph = backbone::dev::DevGraph::start(backbone::with_dev_auth(config)).await?;
            backbone::seed::seed(&graph.kit).await?;
            println!("{}http://{}/graphql", backbone::child::DEV_GRAPHQL, graph.front);
            graph.wait().await;
            Ok(())
        }
        Command::Bench { clients, seconds, warmup, compare_hive } => {
            bench::run(bench::Settings { clients, seconds, warmup, compare_hive }).await
        }
        Command::BenchSubscriptions { subscribers, events, feeds, per_round, floor } => {
            bench::subscriptions::run(bench::subscriptions::Settings {
                subscribers,
                events,
                feeds,
                per_round,
                floor,
            })
            .await
        }
        Command::BenchFloorServer => bench::serve_floor().await,
        Command::BenchPrivacy { clients, seconds, memories, postgres_url } => {
            let load = bench::Settings { clients, seconds, warmup: 2, compare_hive: None };
            bench::privacy::run(bench::privacy::PrivacySettings { load, memories, postgres_url }).await
        }
        Command::BenchSync { devices, batch, batches, clients, postgres_url, relay_batch } => {
            let settings =
                bench::sync::SyncSettings { devices, batch, batches, clients, postgres_url, relay_batch };
            bench::sync::run(settings).await
        }
        Command::BenchRest { clients, seconds, rounds } => {
            let load = bench::Settings { clients, seconds, warmup: 2, compare_hive: None };
            bench::rest::run(load, rounds).await
        }
        Command::BenchOverhead(Comparison { instructions: Some(requests), .. }) => {
            bench::instructions::run(requests).await
        }
        Command::BenchOverhead(c) => bench::overhead::run(c.load(), c.rounds, c.pin, c.interleaved).await,
        Command::BenchMerged(Comparison { instructions: Some(requests), .. }) => {
            bench::merged::instructions(requests).await
        }
        Command::BenchMerged(c) => bench::merged::run(c.load(), c.rounds, c.pin, c.interleaved).await,
        Command::BenchStack { clients, seconds, events, postgres_url, redis_url } => {
            let load = bench::Settings { clients, seconds, warmup: 2, compare_hive: None };
            bench::stack::run(bench::stack::StackSettings { load, events, postgres_url, redis_url }).await
        }
        Command::BenchScheduling { appointments, searches, clients, per_client, postgres_url } => {
            let settings = bench::scheduling::SchedulingSettings {
                appointments,
                searches,
                clients,
                per_client,
                postgres_url,
            };
            bench::scheduling::run(settings).await
        }
        Command::BenchBilling { events, tenants, checks, postgres_url, shuffled_times } => {
            let s = bench::billing::BillingSettings { events, tenants, checks, postgres_url, shuffled_times };
            bench::billing::run(s).await
        }
        Command::BenchDocuments { renders, verifies } => {
            bench::documents::run(bench::documents::DocumentsSettings { renders, verifies }).await
        }
        Command::BenchServe => bench::serve_in_process(config).await,
    }
}
