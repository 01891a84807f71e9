//! `docker-compose.yml` and `deploy/k8s/` against the subgraph registry:
//! each names every subgraph, runs it with the variables it needs
//! (`backbone::stack::needed_env`, the same list the process test starts
//! them with), points the services that call others at the right
//! addresses, probes `/health` and `/ready`, and publishes only the
//! router. No Docker engine or cluster runs here; what these files say is
//! checked, and `topology` runs the same processes without containers.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use backbone::{stack::needed_env, subgraphs::ALL};
use serde::Deserialize;
use serde_yaml::Value;

fn yaml(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| {
            let mut v = Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            v.apply_merge().expect("merge keys");
            v
        })
        .collect()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `env` sets `key`, directly, as `<KEY>_FILE`, or (for the
/// database and Redis) under the unprefixed name every host sets.
fn sets(env: &BTreeMap<String, String>, key: &str) -> bool {
    let bare = key.strip_prefix("BACKBONE_").filter(|k| ["DATABASE_URL", "REDIS_URL"].contains(k));
    env.contains_key(key)
        || env.contains_key(&format!("{key}_FILE"))
        || bare.is_some_and(|b| env.contains_key(b))
}

/// `[{name="x",url="http://host:port…"}, …]` as (name, url) pairs, parsed
/// as the configuration parses an environment value.
fn entries(list: &str) -> BTreeMap<String, String> {
    let value: figment::value::Value = list.parse().expect("infallible");
    #[derive(Deserialize)]
    struct Entry {
        name: String,
        url: String,
    }
    let parsed: Vec<Entry> = value.deserialize().unwrap_or_else(|e| panic!("{list}: {e}"));
    parsed.into_iter().map(|e| (e.name, e.url)).collect()
}

/// Each subgraph's base URL inside the deployment: `http://<name>:<port>`.
fn addresses(port_of: impl Fn(&str) -> u64) -> BTreeMap<String, String> {
    ALL.iter().map(|s| (s.name().to_owned(), format!("http://{}:{}", s.name(), port_of(s.name())))).collect()
}

/// What the subgraphs that call others are told, checked against where
/// the others listen.
fn check_calls(name: &str, env: &BTreeMap<String, String>, at: &BTreeMap<String, String>) {
    if let Some(url) = env.get("BACKBONE_SERVICES__CONSENT_URL") {
        assert_eq!(url, &at["consent"], "{name}: consent's address");
    }
    if let Some(list) = env.get("BACKBONE_CONSENT__DATA_SERVICES") {
        let keeping: BTreeMap<String, String> = ALL
            .iter()
            .filter(|s| s.keeps_personal_data())
            .map(|s| (s.name().to_owned(), at[s.name()].clone()))
            .collect();
        assert_eq!(entries(list), keeping, "{name}: DSAR reaches every service keeping personal data");
    }
}

/// Loads `env` as the process would (secrets stood in for), checks each
/// subgraph's table, and that nothing it calls is missing.
fn loads(name: &str, env: &BTreeMap<String, String>) {
    let dir = tempfile::tempdir().expect("dir");
    let stand_in = |key: &str| {
        if key.contains("DATABASE_URL") {
            "postgres://backbone@db/backbone".to_owned()
        } else {
            "x".repeat(48)
        }
    };
    let vars = env.iter().map(|(k, v)| {
        if k.ends_with("_FILE") {
            let file = dir.path().join(k);
            std::fs::write(&file, stand_in(k)).expect("write");
            (k.clone(), file.display().to_string())
        } else if v == FROM_SECRET {
            (k.clone(), stand_in(k))
        } else {
            (k.clone(), v.clone())
        }
    });
    let config = subgraph_kit::config::Config::from_vars(vars.collect::<Vec<_>>())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    backbone::subgraphs::check_config(&config).unwrap_or_else(|e| panic!("{name}: {e}"));
    match backbone::subgraphs::find(name) {
        Some(s) => assert_eq!(config.missing(s.needs()), [], "{name}"),
        None => assert_eq!(config.router.subgraphs.len(), ALL.len(), "{name} routes every subgraph"),
    }
}

/// What a value read from a Kubernetes Secret stands for here.
const FROM_SECRET: &str = "(from a secret)";

fn router_subgraphs(env: &BTreeMap<String, String>, at: &BTreeMap<String, String>) {
    let listed = entries(&env["BACKBONE_ROUTER__SUBGRAPHS"]);
    let expected: BTreeMap<String, String> =
        at.iter().map(|(n, a)| (n.clone(), format!("{a}/graphql"))).collect();
    assert_eq!(listed, expected, "the router composes every subgraph at its address");
    assert_eq!(env["BACKBONE_ROUTER__API_KEY_EXCHANGE_URL"], format!("{}/auth/api-key", at["tenants"]));
}

fn strings(v: &Value) -> BTreeMap<String, String> {
    v.as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let v =
                v.as_str().map(str::to_owned).unwrap_or_else(|| serde_yaml::to_string(v).expect("scalar"));
            (k.as_str().expect("key").to_owned(), v.trim().to_owned())
        })
        .collect()
}

#[test]
fn the_compose_file_runs_every_subgraph_with_what_it_needs() {
    let compose = yaml(&root().join("docker-compose.yml")).remove(0);
    let services = &compose["services"];
    let env_of = |name: &str| strings(&services[name]["environment"]);
    let port = |name: &str| env_of(name)["BACKBONE_HTTP__PORT"].parse::<u64>().expect("port");
    let at = addresses(port);
    for s in ALL {
        let name = s.name();
        let service = &services[name];
        assert!(service.is_mapping(), "docker-compose.yml has no service {name}");
        assert_eq!(service["command"], serde_yaml::to_value(["subgraph", name]).expect("yaml"));
        let env = env_of(name);
        for key in needed_env(s) {
            assert!(sets(&env, key), "{name} in docker-compose.yml lacks {key}");
        }
        assert_eq!(env["BACKBONE_MIGRATE_ON_START"], "false", "{name}: only the migrate service migrates");
        check_calls(name, &env, &at);
        loads(name, &env);
        let health = serde_yaml::to_string(&service["healthcheck"]["test"]).expect("yaml");
        assert!(health.contains(&format!(":{}/ready", port(name))), "{name}: health check on /ready");
        let after = &service["depends_on"];
        assert_eq!(after["migrate"]["condition"], "service_completed_successfully", "{name}");
        assert_eq!(after["redis"]["condition"], "service_healthy", "{name}");
    }
    assert_eq!(services["migrate"]["depends_on"]["postgres"]["condition"], "service_healthy");
    let router = env_of("router");
    router_subgraphs(&router, &at);
    loads("router", &router);
    for s in ALL {
        assert_eq!(services["router"]["depends_on"][s.name()]["condition"], "service_healthy");
    }
    let published: Vec<&str> = services
        .as_mapping()
        .expect("services")
        .iter()
        .filter(|(_, s)| !s["ports"].is_null())
        .map(|(n, _)| n.as_str().expect("name"))
        .collect();
    assert_eq!(published, ["edge"], "only the edge in front of the routers is published");
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).expect("read");
    assert!(!text.contains(subgraph_kit::config::DEV_HS256_SECRET), "no dev secret");
}

#[test]
fn the_kubernetes_manifests_run_every_subgraph_with_what_it_needs() {
    let dir = root().join("deploy/k8s");
    let kustomization = yaml(&dir.join("kustomization.yaml")).remove(0);
    let files: Vec<String> = kustomization["resources"]
        .as_sequence()
        .expect("resources")
        .iter()
        .map(|f| f.as_str().expect("file").to_owned())
        .collect();
    let docs: Vec<Value> = files.iter().flat_map(|f| yaml(&dir.join(f))).collect();
    let find = |kind: &str, name: &str| {
        docs.iter().find(|d| d["kind"] == kind && d["metadata"]["name"] == name).cloned()
    };
    let config = strings(&find("ConfigMap", "backbone").expect("ConfigMap backbone")["data"]);
    let container = |name: &str| -> (Value, BTreeMap<String, String>) {
        let deployment = find("Deployment", name).unwrap_or_else(|| panic!("no Deployment {name}"));
        let c = deployment["spec"]["template"]["spec"]["containers"][0].clone();
        let mut env = config.clone();
        for e in c["env"].as_sequence().into_iter().flatten() {
            let value = e["value"].as_str().unwrap_or(FROM_SECRET).to_owned();
            env.insert(e["name"].as_str().expect("name").to_owned(), value);
        }
        (c, env)
    };
    let port = |name: &str| container(name).1["BACKBONE_HTTP__PORT"].parse::<u64>().expect("port");
    let at = addresses(port);
    for s in ALL.iter().map(|s| s.name()).chain(["router"]) {
        let (c, env) = container(s);
        if s != "router" {
            let sub = ALL.iter().find(|x| x.name() == s).expect("subgraph");
            assert_eq!(c["args"], serde_yaml::to_value(["subgraph", s]).expect("yaml"));
            for key in needed_env(*sub) {
                assert!(sets(&env, key), "{s} in deploy/k8s lacks {key}");
            }
            check_calls(s, &env, &at);
        }
        loads(s, &env);
        assert_eq!(env["BACKBONE_MIGRATE_ON_START"], "false", "{s}: the Job migrates");
        assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/health", "{s}");
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/ready", "{s}");
        let service = find("Service", s).unwrap_or_else(|| panic!("no Service {s}"));
        assert_eq!(service["spec"]["ports"][0]["port"].as_u64(), Some(port(s)), "{s}: Service port");
    }
    router_subgraphs(&container("router").1, &at);
    let migrate = docs.iter().find(|d| d["kind"] == "Job").expect("a migration Job");
    let args = &migrate["spec"]["template"]["spec"]["containers"][0]["args"];
    assert_eq!(*args, serde_yaml::to_value(["migrate", "up"]).expect("yaml"));
    let names: BTreeSet<&str> = docs
        .iter()
        .filter(|d| d["kind"] == "Deployment")
        .filter_map(|d| d["metadata"]["name"].as_str())
        .collect();
    let expected: BTreeSet<&str> = ALL.iter().map(|s| s.name()).chain(["router"]).collect();
    assert_eq!(names, expected, "a Deployment per subgraph and the router, nothing unknown");
}

/// Every series the Grafana dashboard queries is one the code records and
/// docs/deploy.md lists: a renamed metric fails here, not as an empty panel.
#[test]
fn the_dashboard_queries_only_metrics_that_exist() {
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("deploy/grafana/backbone.json")).expect("read"),
    )
    .expect("JSON");
    let exprs: Vec<String> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["expr"].as_str().map(str::to_owned))
        .collect();
    assert!(exprs.len() >= 10, "a panel per area");
    let mut sources = String::new();
    for dir in ["router/src", "edge/src", "subgraphs"] {
        read_rust(&root().join(dir), &mut sources);
    }
    let documented = std::fs::read_to_string(root().join("docs/deploy.md")).expect("read");
    let mut names = BTreeSet::new();
    for expr in &exprs {
        for start in expr.match_indices("backbone_").map(|(i, _)| i) {
            let name: String =
                expr[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let base = ["_bucket", "_count", "_sum"]
                .iter()
                .fold(name.clone(), |n, s| n.strip_suffix(s).map_or(n.clone(), str::to_owned));
            names.insert(base);
        }
    }
    for name in &names {
        assert!(sources.contains(&format!("\"{name}\"")), "{name} is recorded nowhere");
        assert!(documented.contains(name), "{name} is not in docs/deploy.md");
    }
}

fn read_rust(dir: &Path, into: &mut String) {
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            read_rust(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push_str(&std::fs::read_to_string(&path).expect("read"));
        }
    }
}
