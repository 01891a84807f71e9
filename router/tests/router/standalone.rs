//! The router stands alone: nothing it is built from (its dev-dependencies
//! included) reaches subgraph code, an ORM, migrations or an LLM client, so
//! a partner can run it in front of their own subgraphs. Read from
//! `Cargo.lock`, which lists every package's dependencies.

use std::collections::{BTreeMap, BTreeSet};

/// Package name → the names it depends on, from the workspace lock file.
fn lock_graph() -> BTreeMap<String, Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    let text = std::fs::read_to_string(path).expect("Cargo.lock");
    let mut graph = BTreeMap::new();
    for block in text.split("[[package]]").skip(1) {
        let name = block
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .and_then(|n| n.strip_suffix('"'))
            .expect("a package name")
            .to_owned();
        let deps = block
            .split_once("dependencies = [")
            .map(|(_, rest)| rest.split(']').next().unwrap_or_default())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().trim_end_matches(',').strip_prefix('"'))
            .map(|d| d.trim_end_matches('"').split(' ').next().unwrap_or_default().to_owned())
            .collect();
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn the_router_depends_on_no_subgraph_code_orm_or_llm_client() {
    let graph = lock_graph();
    let mut seen = BTreeSet::new();
    let mut todo = vec!["backbone-router".to_owned()];
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            todo.extend(graph.get(&name).into_iter().flatten().cloned());
        }
    }
    assert!(seen.contains("backbone-edge") && seen.contains("hive-router-query-planner"), "{seen:?}");
    let forbidden =
        ["subgraph-kit", "backbone-entities", "backbone-migrations", "sea-orm", "sea-query", "async-openai"];
    let reached: Vec<_> = forbidden.iter().filter(|f| seen.contains(**f)).collect();
    assert!(reached.is_empty(), "the router's build reaches {reached:?}");
}
