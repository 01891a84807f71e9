//! The `backbone` binary: tokens, migrations, config errors.

use std::process::Command;

use backbone_schema::Claims;
use jsonwebtoken::{DecodingKey, Validation, decode};
use subgraph_kit::config::DEV_HS256_SECRET;
use uuid::Uuid;

fn backbone(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_backbone"));
    cmd.current_dir(dir);
    // A clean environment: the test must not pick up the caller's config.
    for (key, _) in std::env::vars() {
        if key.starts_with("BACKBONE_") || key == "DATABASE_URL" || key == "REDIS_URL" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The claims of the token `backbone token` printed, verified with `secret`.
fn printed_claims(out: std::process::Output, secret: &str) -> Claims {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).expect("utf8");
    let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["backbone-api"]);
    decode::<Claims>(token.trim(), &DecodingKey::from_secret(secret.as_bytes()), &validation)
        .expect("valid")
        .claims
}

#[test]
fn token_prints_a_verifiable_dev_token() {
    let dir = tempfile::tempdir().expect("dir");
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let out = backbone(dir.path())
        .args([
            "token",
            "--tenant",
            &tenant.to_string(),
            "--user",
            &user.to_string(),
            "--roles",
            "clinician,auditor",
        ])
        .output()
        .expect("run");
    let claims = printed_claims(out, DEV_HS256_SECRET);
    assert_eq!((claims.tid, claims.sub), (tenant, user));
    assert_eq!(claims.roles, ["clinician", "auditor"]);
}

/// Compose and Kubernetes mount secrets as files: `BACKBONE_<KEY>_FILE`
/// names one, and its content (trailing newline trimmed) is the key's value.
#[test]
fn a_secret_is_read_from_the_file_a_file_variable_names() {
    let dir = tempfile::tempdir().expect("dir");
    let secret = "a-secret-from-a-mounted-file-0123456789abcdef";
    std::fs::write(dir.path().join("hs256"), format!("{secret}\n")).expect("write");
    let (tenant, user) = (Uuid::now_v7(), Uuid::now_v7());
    let out = backbone(dir.path())
        .args(["token", "--tenant", &tenant.to_string(), "--user", &user.to_string(), "--roles", "auditor"])
        .env("BACKBONE_AUTH__HS256_SECRET_FILE", dir.path().join("hs256"))
        .output()
        .expect("run");
    assert_eq!(printed_claims(out, secret).sub, user, "signed with the file's secret");

    let out = backbone(dir.path())
        .args(["token", "--tenant", &tenant.to_string(), "--user", &user.to_string(), "--roles", "auditor"])
        .env("BACKBONE_AUTH__HS256_SECRET_FILE", dir.path().join("missing"))
        .output()
        .expect("run");
    assert!(!out.status.success(), "a missing secret file is an error, not the dev secret");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BACKBONE_AUTH__HS256_SECRET_FILE"), "names the variable: {stderr}");
}

#[test]
fn migrate_up_status_down_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let run = |args: &[&str]| {
        let out = backbone(dir.path()).args(args).env("DATABASE_URL", &url).output().expect("run");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf8")
    };
    assert!(run(&["migrate", "status"]).contains("Pending"));
    run(&["migrate", "up"]);
    let status = run(&["migrate", "status"]);
    assert!(status.contains("Applied") && !status.contains("Pending"), "{status}");
    run(&["migrate", "down", "1"]);
    assert!(run(&["migrate", "status"]).contains("Pending"));
}

#[test]
fn unknown_config_keys_and_bad_values_fail_without_leaking_secrets() {
    let dir = tempfile::tempdir().expect("dir");
    let out = backbone(dir.path())
        .args(["migrate", "status"])
        .env("BACKBONE_HTTP__PROT", "1")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Once, and with the key as the user wrote it.
    assert!(stderr.contains("BACKBONE_HTTP__PROT"), "{stderr}");
    assert_eq!(stderr.matches("unknown field").count(), 1, "{stderr}");

    std::fs::write(dir.path().join("backbone.toml"), "database_url = \"mysql://user:hunter2@db/x\"\n")
        .expect("write");
    let out = backbone(dir.path()).args(["migrate", "status"]).output().expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("database_url must start with"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "secret leaked: {stderr}");

    let out = backbone(dir.path())
        .args(["subgraph", "tenants"])
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .expect("run");
    assert!(!out.status.success(), "a production subgraph without auth config must refuse to start");
}

#[test]
fn the_example_config_file_is_valid() {
    let dir = tempfile::tempdir().expect("dir");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/backbone.example.toml");
    std::fs::copy(example, dir.path().join("backbone.toml")).expect("copy");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    let out =
        backbone(dir.path()).args(["migrate", "status"]).env("DATABASE_URL", &url).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn checked_in_sdl_and_supergraph_match_what_the_subgraphs_export() {
    let sdls = backbone::schemas::exported().await.expect("export");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/graphql");
    let hint = "run `cargo run -- compose` and commit schema/graphql";
    for s in &sdls {
        let file = std::fs::read_to_string(format!("{dir}/{}.graphql", s.name)).unwrap_or_default();
        assert!(file == s.sdl, "{}.graphql is out of date; {hint}", s.name);
    }
    let supergraph = backbone::schemas::supergraph(&sdls).expect("compose");
    let file = std::fs::read_to_string(format!("{dir}/supergraph.graphql")).unwrap_or_default();
    assert!(file == supergraph, "supergraph.graphql is out of date; {hint}");
}

#[test]
fn dev_mode_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("dir");
    let mut child = backbone(dir.path())
        .env("BACKBONE_HTTP__PORT", "0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let ready = lines.by_ref().take(40).map_while(Result::ok).any(|l| l.contains("playground"));
    assert!(ready, "dev mode printed its URLs");
    let status =
        std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            assert!(exit.success(), "exit status {exit}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "did not stop within 10 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(dir.path().join("data").exists(), "SQLite under ./data");
}

/// Each subgraph parses its own table as strictly as the platform's: a
/// misspelt table, a misspelt key in a table, a bad value and a table
/// environment variable all stop the start with the key named.
#[test]
fn a_subgraphs_table_is_checked_when_the_config_is_loaded() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    let cases = [
        ("[complaint]\nsla_tick_ms = 5\n", None, "complaint"),
        ("[complaints]\nsla_tick = 5\n", None, "sla_tick"),
        ("[consent]\nreceipt_signing_key = \"c2hvcnQ=\"\n", None, "receipt_signing_key"),
        ("", Some(("BACKBONE_NOTIFICATIONS__MAX_ATEMPTS", "3")), "max_atempts"),
        ("[ai]\nbase_url = \"http://x\"\n", None, "base_url"),
    ];
    for (file, env, named) in cases {
        std::fs::write(dir.path().join("backbone.toml"), file).expect("write");
        let mut cmd = backbone(dir.path());
        cmd.args(["migrate", "status"]).env("DATABASE_URL", &url);
        if let Some((key, value)) = env {
            cmd.env(key, value);
        }
        let out = cmd.output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{file:?} {env:?} must be refused");
        assert!(stderr.contains(named), "{file:?}: the error names {named}: {stderr}");
    }
    std::fs::write(
        dir.path().join("backbone.toml"),
        "[complaints]\nsla_tick_ms = 50\n[llm]\nmodel = \"m\"\n",
    )
    .expect("write");
    let out =
        backbone(dir.path()).args(["migrate", "status"]).env("DATABASE_URL", &url).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Waits up to `secs` for `child`; a process still running is killed and
/// reported as such.
fn finished(mut child: std::process::Child, secs: u64) -> std::process::Output {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    panic!("still running after {secs} s: {}", String::from_utf8_lossy(&out.stderr));
}

fn piped(cmd: &mut Command) -> std::process::Child {
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().expect("spawn")
}

#[test]
fn an_unknown_subgraph_is_refused_before_any_database_is_touched() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("never.db");
    let out = finished(
        piped(
            backbone(dir.path())
                .args(["subgraph", "complaint"])
                .env("BACKBONE_AUTH__HS256_SECRET", DEV_HS256_SECRET)
                .env("BACKBONE_DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display())),
        ),
        30,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(r#"unknown subgraph "complaint""#) && err.contains("complaints"), "{err}");
    assert!(!db.exists(), "no database was created, so none was migrated");
}

#[test]
fn the_router_refuses_to_start_with_nothing_to_route() {
    let dir = tempfile::tempdir().expect("dir");
    let out = finished(
        piped(
            backbone(dir.path())
                .arg("router")
                .env("BACKBONE_AUTH__HS256_SECRET", DEV_HS256_SECRET)
                .env("BACKBONE_HTTP__PORT", "0"),
        ),
        30,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("nothing to route") && err.contains("router.supergraph_path"), "{err}");
}

#[test]
fn a_port_in_use_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let supergraph = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/graphql/supergraph.graphql");
    let out = finished(
        piped(
            backbone(dir.path())
                .arg("router")
                .env("BACKBONE_AUTH__HS256_SECRET", DEV_HS256_SECRET)
                .env("BACKBONE_ROUTER__SUPERGRAPH_PATH", supergraph)
                .env("BACKBONE_HTTP__HOST", "127.0.0.1")
                .env("BACKBONE_HTTP__PORT", port.to_string()),
        ),
        30,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(&format!("127.0.0.1:{port}")) && err.contains("in use"), "{err}");
    assert!(err.contains("BACKBONE_HTTP__PORT"), "names the key that moves it: {err}");
}

#[test]
fn a_subgraph_that_calls_other_services_refuses_to_start_without_their_urls() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("never.db");
    let run = |name: &str| {
        finished(
            piped(
                backbone(dir.path())
                    .args(["subgraph", name])
                    .env("BACKBONE_AUTH__HS256_SECRET", DEV_HS256_SECRET)
                    .env("BACKBONE_DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display())),
            ),
            30,
        )
    };
    // Consent fans DSAR exports and erasures out to every service that
    // keeps personal data: without the list an erasure would silently
    // skip them.
    let cases = [
        ("ai", "services.consent_url", "BACKBONE_SERVICES__CONSENT_URL"),
        ("memory", "services.consent_url", "BACKBONE_SERVICES__CONSENT_URL"),
        ("consent", "consent.data_services", "BACKBONE_CONSENT__DATA_SERVICES"),
    ];
    for (name, key, variable) in cases {
        let out = run(name);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} started without {key}");
        assert!(err.contains(key) && err.contains(variable), "{name}: {err}");
        assert!(!db.exists(), "refused before touching a database");
    }
}

#[test]
fn help_lists_every_command_the_environment_and_the_dev_ports() {
    let dir = tempfile::tempdir().expect("dir");
    let out = backbone(dir.path()).arg("--help").output().expect("run");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["dev", "router", "compose", "subgraph", "migrate", "token", "seed"] {
        assert!(help.contains(&format!("  {command} ")), "command {command}: {help}");
    }
    for variable in
        ["DATABASE_URL", "REDIS_URL", "BACKBONE_HTTP__PORT", "BACKBONE_AUTH__HS256_SECRET", "BACKBONE_LOG"]
    {
        assert!(help.contains(variable), "{variable}: {help}");
    }
    for (i, name) in backbone::subgraphs::names().iter().enumerate() {
        assert!(help.contains(&format!("{} {name}", 4001 + i)), "port of {name}: {help}");
    }
}

#[test]
fn an_unreachable_database_or_redis_is_named_and_retried_not_waited_on_silently() {
    let dir = tempfile::tempdir().expect("dir");
    // Port 1: nothing listens, the connection is refused at once.
    let out = finished(
        piped(
            backbone(dir.path())
                .args(["migrate", "status"])
                .env("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:1/backbone"),
        ),
        40,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("database at 127.0.0.1:1") && err.contains("retrying"), "{err}");
    assert!(!err.contains("hunter2"), "password leaked: {err}");

    let db = dir.path().join("dev.db");
    let out = finished(
        piped(
            backbone(dir.path())
                .env("REDIS_URL", "redis://:hunter2@127.0.0.1:1")
                .env("BACKBONE_HTTP__PORT", "0")
                .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display())),
        ),
        40,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("Redis at 127.0.0.1:1") && err.contains("retrying"), "{err}");
    assert!(!err.contains("hunter2"), "password leaked: {err}");
}

/// Logs read by a machine are JSON lines with no colour codes: when stderr
/// is not a terminal (a container, a file), or when asked for; text when
/// asked for, still without colour in a file.
#[test]
fn logs_are_json_lines_without_colour_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |format: Option<&str>| {
        let mut cmd = backbone(dir.path());
        cmd.args(["migrate", "status"]).env("DATABASE_URL", "postgres://app@127.0.0.1:1/backbone");
        if let Some(f) = format {
            cmd.env("BACKBONE_LOG_FORMAT", f);
        }
        let out = finished(piped(&mut cmd), 40);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(None);
    assert!(!err.contains('\u{1b}'), "no colour codes: {err}");
    let lines: Vec<serde_json::Value> =
        err.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).expect(l)).collect();
    let retry = lines.iter().find(|l| l["message"].as_str().is_some_and(|m| m.contains("retrying")));
    let retry = retry.unwrap_or_else(|| panic!("a JSON line says it retries: {err}"));
    assert_eq!(retry["level"], "WARN", "{retry}");
    assert!(retry["timestamp"].is_string(), "{retry}");

    let text = run(Some("text"));
    assert!(!text.contains('\u{1b}') && !text.lines().any(|l| l.starts_with('{')), "{text}");
    assert!(text.contains("retrying"), "{text}");
}
