//! The production topology without containers: `backbone migrate up`,
//! then every subgraph and any number of routers as separate `backbone`
//! processes on one Postgres and one Redis, each configured only through
//! its environment, as `docker-compose.yml` and `deploy/k8s/` configure
//! them ([`subgraph_env`] is the one list of what each process needs).
//! The end-to-end tests and `bench-stack` start it.

use std::{
    path::PathBuf,
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{Context, bail};
use subgraph_kit::{config::Needs, subgraph::AnySubgraph};

use crate::child::{LISTENING, Started};

/// What to start.
#[derive(Debug, Clone)]
pub struct StackSpec {
    /// The `backbone` binary.
    pub binary: PathBuf,
    /// A Postgres database every process shares.
    pub database_url: String,
    /// The Redis every process shares.
    pub redis_url: String,
    /// The stream events go through (one per stack).
    pub redis_stream: String,
    /// Routers, each on its own port.
    pub routers: usize,
    /// Token secret (HS256) and internal token, as a deployment's secrets.
    pub secret: String,
    /// Scratch space (document storage).
    pub dir: PathBuf,
    /// Further variables for every process (timings, limits).
    pub env: Vec<(String, String)>,
}

/// A running stack.
pub struct Stack {
    spec: StackSpec,
    subgraphs: Vec<Member>,
    routers: Vec<Started>,
}

struct Member {
    subgraph: &'static dyn AnySubgraph,
    port: u16,
    process: Option<Started>,
}

/// How long one process may take to listen.
const START_WITHIN: Duration = Duration::from_secs(120);

impl Stack {
    /// Migrates, then starts every subgraph, then the routers (which
    /// compose the subgraphs' live SDL). Blocking: call it off the async
    /// runtime's threads.
    pub fn start(spec: StackSpec) -> anyhow::Result<Self> {
        let migrated = spec.command().args(["migrate", "up"]).stdout(Stdio::null()).status()?;
        if !migrated.success() {
            bail!("backbone migrate up failed ({migrated})");
        }
        // Every subgraph's port is chosen before any starts: consent and
        // the services it fans out to name each other.
        let ports = free_ports(crate::subgraphs::ALL.len())?;
        let subgraphs = crate::subgraphs::ALL.iter().zip(ports).map(|(s, port)| Member {
            subgraph: *s,
            port,
            process: None,
        });
        let mut stack = Self { subgraphs: subgraphs.collect(), routers: Vec::new(), spec };
        for i in 0..stack.subgraphs.len() {
            stack.start_subgraph(i)?;
        }
        for _ in 0..stack.spec.routers {
            let mut cmd = stack.spec.command();
            cmd.arg("router").envs(router_env(&stack.addresses()));
            stack
                .routers
                .push(crate::child::spawn(&mut cmd, LISTENING, START_WITHIN).context("start a router")?);
        }
        Ok(stack)
    }

    /// The GraphQL URL of router `i`.
    pub fn router(&self, i: usize) -> String {
        format!("{}/graphql", self.routers[i].base)
    }

    /// The GraphQL URL of subgraph `name`.
    pub fn subgraph(&self, name: &str) -> Option<String> {
        self.addresses().into_iter().find(|(n, _)| *n == name).map(|(_, base)| format!("{base}/graphql"))
    }

    /// Kills subgraph `name` (SIGKILL: no draining, as a crash).
    pub fn kill(&mut self, name: &str) {
        if let Some(m) = self.subgraphs.iter_mut().find(|m| m.subgraph.name() == name)
            && let Some(mut p) = m.process.take()
        {
            p.stop();
        }
    }

    /// Starts subgraph `name` again, on its port.
    pub fn restart(&mut self, name: &str) -> anyhow::Result<()> {
        let i = self.subgraphs.iter().position(|m| m.subgraph.name() == name).context("no such subgraph")?;
        self.kill(name);
        self.start_subgraph(i)
    }

    /// Runs `backbone seed --force` against the stack's database: the demo
    /// tenant, and each role's user id and token.
    pub fn seed(&self) -> anyhow::Result<Seeded> {
        let out = self.spec.command().args(["seed", "--force"]).stderr(Stdio::inherit()).output()?;
        if !out.status.success() {
            bail!("backbone seed failed ({})", out.status);
        }
        Seeded::parse(&String::from_utf8(out.stdout)?)
    }

    fn start_subgraph(&mut self, i: usize) -> anyhow::Result<()> {
        let env =
            subgraph_env(self.subgraphs[i].subgraph, self.subgraphs[i].port, &self.addresses(), &self.spec);
        let mut cmd = self.spec.command();
        cmd.args(["subgraph", self.subgraphs[i].subgraph.name()]).envs(env);
        let started = crate::child::spawn(&mut cmd, LISTENING, START_WITHIN)
            .with_context(|| format!("start the {} subgraph", self.subgraphs[i].subgraph.name()))?;
        self.subgraphs[i].process = Some(started);
        Ok(())
    }

    fn addresses(&self) -> Vec<(&'static str, String)> {
        self.subgraphs.iter().map(|m| (m.subgraph.name(), format!("http://127.0.0.1:{}", m.port))).collect()
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for r in &mut self.routers {
            r.stop();
        }
        for m in &mut self.subgraphs {
            if let Some(mut p) = m.process.take() {
                p.stop();
            }
        }
    }
}

impl StackSpec {
    /// The binary with a clean environment plus what every process shares.
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        for (key, _) in std::env::vars() {
            if key.starts_with("BACKBONE_") || key == "DATABASE_URL" || key == "REDIS_URL" {
                cmd.env_remove(key);
            }
        }
        cmd.env("DATABASE_URL", &self.database_url)
            .env("REDIS_URL", &self.redis_url)
            .env("BACKBONE_REDIS_STREAM", &self.redis_stream)
            .env("BACKBONE_AUTH__HS256_SECRET", &self.secret)
            .env("BACKBONE_SERVICES__INTERNAL_TOKEN", &self.secret)
            .env("BACKBONE_MIGRATE_ON_START", "false")
            .env("BACKBONE_LOG", std::env::var("BACKBONE_LOG").unwrap_or_else(|_| "warn".into()))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }
}

/// The variables every subgraph process needs, however it is run (each
/// may also come as `<KEY>_FILE`; `DATABASE_URL` and `REDIS_URL` also
/// without the prefix): the database, Redis (events across processes),
/// the token secret (or `BACKBONE_AUTH__JWKS_URL`), the secret of calls
/// between services, and where it listens.
pub const SHARED_ENV: [&str; 5] = [
    "BACKBONE_DATABASE_URL",
    "BACKBONE_REDIS_URL",
    "BACKBONE_AUTH__HS256_SECRET",
    "BACKBONE_SERVICES__INTERNAL_TOKEN",
    "BACKBONE_HTTP__PORT",
];

/// Every variable subgraph `subgraph` needs: [`SHARED_ENV`] and the
/// addresses of the services it calls.
pub fn needed_env(subgraph: &dyn AnySubgraph) -> Vec<&'static str> {
    SHARED_ENV.into_iter().chain(subgraph.needs().iter().map(|n| n.key().1)).collect()
}

/// The variables subgraph `subgraph` needs beyond the shared ones
/// (database, Redis, secrets): where it listens, and the addresses of the
/// services it calls ([`Needs`]); `addresses` are every subgraph's base URL.
pub fn subgraph_env(
    subgraph: &dyn AnySubgraph,
    port: u16,
    addresses: &[(&str, String)],
    spec: &StackSpec,
) -> Vec<(String, String)> {
    let of =
        |name: &str| addresses.iter().find(|(n, _)| *n == name).map(|(_, a)| a.clone()).unwrap_or_default();
    let mut env = vec![
        ("BACKBONE_HTTP__HOST".to_owned(), "127.0.0.1".to_owned()),
        ("BACKBONE_HTTP__PORT".to_owned(), port.to_string()),
    ];
    for need in subgraph.needs() {
        let value = match need {
            Needs::Consent => of(crate::subgraphs::CONSENT),
            Needs::DataServices => data_services(addresses),
        };
        env.push((need.key().1.to_owned(), value));
    }
    if subgraph.name() == crate::subgraphs::CONSENT {
        env.push(("BACKBONE_CONSENT__PUBLIC_URL".into(), of(crate::subgraphs::CONSENT)));
    }
    if subgraph.name() == subgraph_documents::NAME {
        let path = spec.dir.join("documents").display().to_string();
        env.push(("BACKBONE_DOCUMENTS__STORAGE__KIND".into(), "fs".into()));
        env.push(("BACKBONE_DOCUMENTS__STORAGE__PATH".into(), path));
    }
    env
}

/// `consent.data_services` as an environment value: every subgraph that
/// keeps personal data.
fn data_services(addresses: &[(&str, String)]) -> String {
    let entries: Vec<String> = crate::subgraphs::ALL
        .iter()
        .filter(|s| s.keeps_personal_data())
        .filter_map(|s| addresses.iter().find(|(n, _)| *n == s.name()))
        .map(|(name, url)| format!("{{name=\"{name}\",url=\"{url}\"}}"))
        .collect();
    format!("[{}]", entries.join(","))
}

/// A router's variables: the subgraphs it composes, where API keys are
/// exchanged, and port 0 (it prints where it listens).
fn router_env(addresses: &[(&str, String)]) -> Vec<(String, String)> {
    let subgraphs: Vec<String> =
        addresses.iter().map(|(name, base)| format!("{{name=\"{name}\",url=\"{base}/graphql\"}}")).collect();
    let tenants = addresses.iter().find(|(n, _)| *n == subgraph_tenants::NAME).map(|(_, a)| a.clone());
    let mut env = vec![
        ("BACKBONE_HTTP__PORT".to_owned(), "0".to_owned()),
        ("BACKBONE_ROUTER__SUBGRAPHS".to_owned(), format!("[{}]", subgraphs.join(","))),
    ];
    if let Some(tenants) = tenants {
        env.push(("BACKBONE_ROUTER__API_KEY_EXCHANGE_URL".into(), format!("{tenants}/auth/api-key")));
    }
    env
}

/// `n` ports free now (held together while chosen, so they differ).
fn free_ports(n: usize) -> anyhow::Result<Vec<u16>> {
    let held: Vec<_> =
        (0..n).map(|_| std::net::TcpListener::bind("127.0.0.1:0")).collect::<Result<_, _>>()?;
    held.iter().map(|l| Ok(l.local_addr()?.port())).collect()
}

/// What `backbone seed` made.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The demo tenant.
    pub tenant: uuid::Uuid,
    /// Each role's user: role, user id, token.
    pub users: Vec<(String, uuid::Uuid, String)>,
}

impl Seeded {
    fn parse(out: &str) -> anyhow::Result<Self> {
        let mut lines = out.lines();
        let tenant = lines.next().and_then(|l| l.strip_prefix("tenant ")).context("tenant line")?.parse()?;
        let mut users = Vec::new();
        while let Some(line) = lines.next() {
            let mut words = line.split_whitespace();
            let (Some(role), Some(id)) = (words.next(), words.next()) else { continue };
            let token = lines.next().and_then(|l| l.trim().strip_prefix("token: ")).context("token line")?;
            users.push((role.to_owned(), id.parse()?, token.to_owned()));
        }
        Ok(Self { tenant, users })
    }

    /// The token of `role`'s user.
    pub fn token(&self, role: &str) -> Option<&str> {
        self.users.iter().find(|(r, _, _)| r == role).map(|(_, _, t)| t.as_str())
    }

    /// The user id of `role`'s user.
    pub fn user(&self, role: &str) -> Option<uuid::Uuid> {
        self.users.iter().find(|(r, _, _)| r == role).map(|(_, id, _)| *id)
    }
}
