//! The `backbone` command: `backbone` (dev mode), `router`, `compose`, `subgraph NAME`,
//! `migrate`, `token`, `seed`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use backbone::{dev::DevGraph, seed, with_dev_auth};
use backbone_migrations::{Migrator, MigratorTrait};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use secrecy::ExposeSecret;
use subgraph_kit::{Kit, auth, config::Config, db, serve};
use uuid::Uuid;

/// Backbone: one GraphQL graph for health and education SaaS.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./backbone.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Every subgraph in one process over SQLite (the default).
    Dev,
    /// The federation router alone (`router.*` in the config).
    Router,
    /// Writes schema/graphql/<subgraph>.graphql and supergraph.graphql.
    Compose {
        /// Output directory.
        #[arg(long, default_value = "schema/graphql")]
        out: PathBuf,
    },
    /// One subgraph as its own process.
    Subgraph {
        /// Subgraph name: tenants, complaints, notifications, consent, ai,
        /// memory, scheduling, billing, documents or sync.
        name: String,
    },
    /// Database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Prints an HS256 dev token.
    Token {
        /// Tenant id.
        #[arg(long)]
        tenant: Uuid,
        /// User id.
        #[arg(long)]
        user: Uuid,
        /// Comma-separated role names.
        #[arg(long, value_delimiter = ',', default_value = "tenant_admin")]
        roles: Vec<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
    },
    /// Creates a demo tenant with a user of every role (dev only).
    Seed {
        /// Also allow seeding a Postgres database.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Applies pending migrations.
    Up,
    /// Rolls back the last N migrations.
    Down {
        /// How many.
        #[arg(default_value_t = 1)]
        steps: u32,
    },
    /// Lists migrations and whether each is applied.
    Status,
}

/// The environment and dev mode's ports, below `--help`'s commands.
fn after_help() -> String {
    let ports: Vec<String> = backbone::subgraphs::names()
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{} {name}", 4001 + i))
        .collect();
    format!(
        "Environment (every key of backbone.toml also reads from BACKBONE_<SECTION>__<KEY>, or from the
file BACKBONE_<SECTION>__<KEY>_FILE names):
  DATABASE_URL                 sqlite://data/backbone.db?mode=rwc (default) or postgres://user@host/db
  REDIS_URL                    the event bus, rate limits and idempotency keys across processes (unset: in-process)
  BACKBONE_HTTP__PORT          where it listens (dev mode: the router; 0 picks free ports)
  BACKBONE_AUTH__HS256_SECRET  token secret (or BACKBONE_AUTH__JWKS_URL); dev mode has its own
  BACKBONE_SERVICES__CONSENT_URL, BACKBONE_SERVICES__INTERNAL_TOKEN  calls between subgraph processes
  BACKBONE_LOG                 log filter (default: info)
  BACKBONE_LOG_FORMAT          json or text (default: json unless stderr is a terminal)

Dev mode listens on http.port (default 4000: the router, playground at /, REST at /v1) and the
subgraphs on the ports after it: {}.",
        ports.join(", ")
    )
}

/// mimalloc: the router allocates many small JSON nodes per request, where
/// glibc malloc was the top cost in profiles (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::from_arg_matches(&Cli::command().after_help(after_help()).get_matches())?;
    let config = backbone::subgraphs::load_config(cli.config.as_deref())?;
    let command = cli.command.unwrap_or(Command::Dev);
    let service = match &command {
        Command::Subgraph { name } => name.clone(),
        Command::Router => "router".into(),
        _ => "backbone".into(),
    };
    let traces =
        backbone_edge::traces::Traces::start(&config.tracing, &service).map_err(anyhow::Error::msg)?;
    backbone::init_logging(traces.as_ref());
    let result = run(command, config).await;
    if let Some(traces) = traces {
        traces.shutdown();
    }
    result
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Dev => dev(config).await,
        Command::Subgraph { name } => subgraph(config, &name).await,
        Command::Router => backbone::serve_router(config).await,
        Command::Compose { out } => {
            let sdls = backbone::schemas::exported().await?;
            std::fs::create_dir_all(&out)?;
            for s in &sdls {
                std::fs::write(out.join(format!("{}.graphql", s.name)), &s.sdl)?;
            }
            std::fs::write(out.join("supergraph.graphql"), backbone::schemas::supergraph(&sdls)?)?;
            println!("wrote {} subgraph SDL(s) and supergraph.graphql to {}", sdls.len(), out.display());
            Ok(())
        }
        Command::Migrate { action } => migrate(config, action).await,
        Command::Token { tenant, user, roles, ttl } => {
            let config = with_dev_auth(config);
            let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
            println!("{}", token(&config, tenant, user, &roles, ttl)?);
            Ok(())
        }
        Command::Seed { force } => {
            if !config.database_url.starts_with("sqlite:") && !force {
                bail!("seed is for development databases; pass --force to seed Postgres");
            }
            let kit = Kit::start(with_dev_auth(config), backbone::subgraphs::catalog()).await?;
            let (tenant, users) = seed::seed(&kit).await?;
            println!("tenant {tenant}");
            for u in users {
                let t = token(&kit.config, tenant, u.id, &[u.role], 24 * 3600)?;
                println!("{:<13} {}  {}\n  token: {t}", u.role, u.id, u.email);
            }
            Ok(())
        }
    }
}

fn token(config: &Config, tenant: Uuid, user: Uuid, roles: &[&str], ttl: i64) -> anyhow::Result<String> {
    let secret = config
        .auth
        .hs256_secret
        .as_ref()
        .context("token needs auth.hs256_secret (tokens from a JWKS issuer come from that issuer)")?;
    let claims = auth::claims_for(&config.auth, tenant, user, roles, ttl);
    Ok(auth::mint_hs256(secret.expose_secret(), &claims)?)
}

async fn dev(config: Config) -> anyhow::Result<()> {
    let graph = DevGraph::start(with_dev_auth(config)).await?;
    let (tenant, users) = seed::seed(&graph.kit).await?;
    let admin = users.iter().find(|u| u.role == backbone_schema::roles::TENANT_ADMIN);
    let database = if graph.kit.config.database_url.starts_with("postgres") { "Postgres" } else { "SQLite" };
    let bus = if graph.kit.config.redis_url.is_some() { "Redis bus" } else { "in-process bus" };
    println!("\nBackbone is running (dev mode, {database}, {bus})\n");
    println!("  playground  http://{}/", graph.front);
    println!("  graphql     http://{}/graphql", graph.front);
    for s in &graph.subgraphs {
        println!("  subgraph    {:<13} http://{}/graphql", s.name, s.addr);
    }
    if let Some(admin) = admin {
        let t = token(&graph.kit.config, tenant, admin.id, &[admin.role], 24 * 3600)?;
        println!(
            "\n  demo tenant {tenant}\n  admin token (24 h, header `Authorization: Bearer …`, pre-filled in the playground):\n  {t}"
        );
        graph.playground.set_demo_token(t);
    }
    let platform = token(&graph.kit.config, tenant, Uuid::now_v7(), &["platform_admin"], 24 * 3600)?;
    println!(
        "\n  platform admin token:\n  {platform}\n\n  `backbone seed` prints a token for every role. ctrl-c stops."
    );
    graph.wait().await;
    Ok(())
}

async fn subgraph(config: Config, name: &str) -> anyhow::Result<()> {
    if config.auth.hs256_secret.is_none() && config.auth.jwks_url.is_none() {
        bail!("set BACKBONE_AUTH__HS256_SECRET or BACKBONE_AUTH__JWKS_URL: a subgraph verifies every token");
    }
    // Before any connection or migration: a typo must not touch a database.
    let Some(subgraph) = backbone::subgraphs::find(name) else {
        bail!("unknown subgraph {name:?}; there are {:?}", backbone::subgraphs::names());
    };
    let missing: Vec<String> = config
        .missing(subgraph.needs())
        .into_iter()
        .map(|n| format!("{} ({})", n.key().0, n.key().1))
        .collect();
    if !missing.is_empty() {
        bail!("the {name} subgraph calls other services; set {}", missing.join(", "));
    }
    if config.services.internal_token.is_none() {
        tracing::warn!(
            "services.internal_token (BACKBONE_SERVICES__INTERNAL_TOKEN) is unset: this process made up its own, \
             so other processes cannot reach its /internal endpoints (DSAR, retention, consent checks) and it \
             cannot reach theirs; set the same secret on every subgraph"
        );
    }
    if config.http.metrics_port.is_some() {
        // Before the kit starts, so nothing it records is lost.
        backbone_edge::metrics::install();
    }
    let kit = Kit::start(config, backbone::subgraphs::catalog()).await?;
    let app = subgraph.app(&kit);
    let workers = subgraph.workers(&kit, subgraph_kit::subgraph::on_signal());
    let listener = backbone::listen(&kit.config.http.host, kit.config.http.port, name).await?;
    backbone::serve_metrics(&kit.config).await?;
    let addr = listener.local_addr()?;
    tracing::info!(subgraph = name, %addr, "serving");
    println!("{}http://{addr}/graphql", backbone::child::LISTENING);
    let relay = tokio::spawn(kit.relay().run(serve::shutdown_signal()));
    tokio::spawn(kit.rbac.clone().follow(kit.bus.clone()));
    tokio::spawn(kit.audit.clone().run(kit.db.clone()));
    serve::serve(listener, app, serve::shutdown_signal()).await?;
    let _ = relay.await;
    for w in workers {
        let _ = w.await;
    }
    Ok(())
}

async fn migrate(config: Config, action: MigrateAction) -> anyhow::Result<()> {
    let conn = db::connect_as_owner(&config.database_url).await?;
    match action {
        MigrateAction::Up => Migrator::up(&conn, None).await?,
        MigrateAction::Down { steps } => Migrator::down(&conn, Some(steps)).await?,
        MigrateAction::Status => {
            for m in Migrator::get_migration_with_status(&conn).await? {
                println!("{:<10} {}", format!("{:?}", m.status()), m.name());
            }
        }
    }
    Ok(())
}
