//! The real page in headless Chromium: `playground/e2e/browser.mjs`
//! (playwright-core) against a dev graph, screenshots under
//! `target/playground/`. Needs Node.js, `npm ci` in `playground/` and
//! Debian's `chromium`; `.ci/run` installs them and sets
//! `TEST_BROWSER=required`, without which a machine lacking them
//! skips this test and says so.

use std::{path::Path, process::Stdio};

use super::scene;

fn missing(root: &Path) -> Option<&'static str> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some("no chromium");
    }
    if !root.join("playground/node_modules/playwright-core").exists() {
        return Some("no playwright-core (npm ci in playground/)");
    }
    let node = std::process::Command::new("node").arg("--version").stdout(Stdio::null()).status();
    if !node.is_ok_and(|s| s.success()) {
        return Some("no Node.js");
    }
    None
}

#[tokio::test]
async fn a_partner_explores_queries_and_subscribes_in_the_playground() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(why) = missing(root) {
        let required = std::env::var("TEST_BROWSER").is_ok_and(|v| v == "required");
        assert!(!required, "the browser test cannot run: {why}");
        eprintln!("SKIPPED the playground browser test: {why}");
        return;
    }
    let s = scene().await;
    let shots = root.join("target/playground");
    let _ = std::fs::remove_dir_all(&shots);
    let output = tokio::process::Command::new("node")
        .arg("e2e/browser.mjs")
        .current_dir(root.join("playground"))
        .env("PLAYGROUND_URL", format!("http://{}", s.graph.front))
        .env("PLAYGROUND_TOKEN", &s.token)
        .env("SCREENSHOTS", &shots)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), output)
        .await
        .expect("the browser run finishes within two minutes")
        .expect("node runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser run failed:\n{text}");
    for step in ["docs-explorer", "query-with-demo-token", "query-with-bare-token", "subscription-event"] {
        let found = std::fs::read_dir(&shots)
            .expect("screenshots")
            .any(|e| e.expect("entry").file_name().to_string_lossy().ends_with(&format!("{step}.png")));
        assert!(found, "a screenshot of {step}");
    }
}
