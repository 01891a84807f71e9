//! The checked-in supergraph Apollo's composer writes for the test
//! subgraphs (`fixtures/apollo.graphql`), so the router's tests run on a
//! supergraph written the way Apollo writes it as well as on ours
//! (issue 14). The subgraphs' SDLs are checked in beside it.
//!
//! `BLESS=1 cargo test -p backbone-router --test router fixtures` rewrites
//! both; without it the tests fail when either is stale. Regenerating the
//! Apollo supergraph needs Node.js and `npm ci` in
//! `router/test-subgraphs/apollo` (`.ci/run` does it); without them that
//! test says so and passes, and the fixture still serves the other tests.

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/router/fixtures")
}

fn bless() -> bool {
    std::env::var("BLESS").is_ok_and(|v| v == "1")
}

/// The Apollo-composed supergraph with each subgraph's URL replaced by
/// `urls[name]`.
pub fn apollo_supergraph(urls: &std::collections::HashMap<&'static str, String>) -> String {
    let mut sdl = std::fs::read_to_string(dir().join("apollo.graphql")).expect("apollo fixture");
    for (name, url) in urls {
        sdl = sdl.replace(&format!("http://{name}.invalid/graphql"), url);
    }
    sdl
}

fn check(path: &Path, fresh: &str, how: &str) {
    if bless() {
        std::fs::write(path, fresh).expect("write fixture");
        return;
    }
    let stored = std::fs::read_to_string(path).unwrap_or_default();
    assert!(stored == fresh, "{} is stale: {how}", path.display());
}

#[test]
fn the_subgraph_fixtures_are_what_the_test_subgraphs_export() {
    for (name, sdl) in backbone_test_subgraphs::sdls() {
        let path = dir().join(format!("subgraphs/{name}.graphql"));
        check(&path, &sdl, "run with BLESS=1");
    }
}

#[test]
fn the_apollo_fixture_is_what_apollo_composes_from_them() {
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-subgraphs/apollo");
    if !oracle.join("node_modules/@apollo/composition").exists() {
        eprintln!(
            "Apollo's composer is not installed (npm ci in {}): fixture not re-checked",
            oracle.display()
        );
        return;
    }
    let args: Vec<String> = backbone_test_subgraphs::sdls()
        .into_iter()
        .map(|(name, _)| format!("{name}={}", dir().join(format!("subgraphs/{name}.graphql")).display()))
        .collect();
    let out = match std::process::Command::new("node").arg(oracle.join("compose.mjs")).args(&args).output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("Node.js is not available ({e}): fixture not re-checked");
            return;
        }
    };
    assert!(
        out.status.success(),
        "Apollo refuses the test subgraphs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    check(&dir().join("apollo.graphql"), &String::from_utf8_lossy(&out.stdout), "run with BLESS=1");
}
