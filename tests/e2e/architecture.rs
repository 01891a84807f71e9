//! The shape of the code: inside every crate of the workspace, no module
//! imports another in a loop (docs/design.md §1). A module's imports are
//! its `use` trees and `crate::…` paths (comments and `#[cfg(test)]` code
//! left out); a loop is a strongly connected set of two or more modules.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// Where a root re-export of another crate's item points.
const EXTERNAL: &str = "<another crate>";

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file (`["domain", "store"]`; the crate root is `[]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The code of `text` without comments and without what follows the first
/// `#[cfg(test)]`.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The paths a `use` tree names (`a::{b, c::d}` → `a::b`, `a::c::d`).
fn expand(prefix: &[String], tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    if tree.is_empty() {
        // After a trailing comma.
        return Vec::new();
    }
    let Some(open) = tree.find('{') else {
        let mut path = prefix.to_vec();
        path.extend(
            tree.split("::")
                .filter(|s| !s.is_empty())
                .map(|s| s.split(" as ").next().unwrap_or(s).trim().to_owned()),
        );
        return vec![path];
    };
    let mut head = prefix.to_vec();
    head.extend(tree[..open].split("::").filter(|s| !s.is_empty()).map(str::to_owned));
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.extend(expand(&head, &inner[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.extend(expand(&head, &inner[start..]));
    out
}

/// The module of `modules` that `path` (absolute, from the crate root)
/// falls in: its longest prefix that is a module.
fn owner(modules: &BTreeSet<Vec<String>>, path: &[String]) -> Vec<String> {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p)).unwrap_or_default()
}

/// The paths of the `use` statements in `text`, absolute from the crate
/// root, for a module at `here`; `reexported` also keeps `pub use` ones.
fn use_paths(
    text: &str,
    here: &[String],
    modules: &BTreeSet<Vec<String>>,
    only_pub: bool,
) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for statement in text.split(';') {
        let Some(i) = statement.find("use ") else { continue };
        if i > 0 && !statement[..i].ends_with(|c: char| c.is_whitespace() || c == '}' || c == '{') {
            continue;
        }
        if only_pub && !statement[..i].trim_end().ends_with("pub") {
            continue;
        }
        let tree: String = statement[i + 4..].split_whitespace().collect::<Vec<_>>().join(" ");
        for path in expand(&[], &tree) {
            let Some(first) = path.first() else { continue };
            let absolute = match first.as_str() {
                "crate" => path[1..].to_vec(),
                "self" => [here.to_vec(), path[1..].to_vec()].concat(),
                "super" => {
                    let ups = path.iter().take_while(|p| *p == "super").count();
                    [here[..here.len().saturating_sub(ups)].to_vec(), path[ups..].to_vec()].concat()
                }
                name if modules.contains(&[here.to_vec(), vec![name.to_owned()]].concat()) => {
                    [here.to_vec(), path].concat()
                }
                _ => continue,
            };
            paths.push(absolute);
        }
    }
    paths
}

/// Module → the modules it imports, for the crate whose sources are in `src`.
/// An item the crate root re-exports (`crate::Kit`) counts as an import of
/// the module that defines it, not of the root.
fn imports(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut reexported: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(root) = files.iter().find(|f| module_of(src, f).is_empty()) {
        let text = code(&std::fs::read_to_string(root).expect("read source"));
        for path in use_paths(&text, &[], &modules, true) {
            let target = owner(&modules, &path);
            if let (Some(name), false) = (path.last(), target.is_empty()) {
                reexported.insert(name.clone(), target);
            }
        }
        // Another crate's module re-exported at the root (`pub use
        // backbone_edge::client_ip`) is no module of this one.
        for line in text.lines().filter(|l| l.trim_start().starts_with("pub use ")) {
            let name = line.trim().trim_end_matches(';').rsplit("::").next().unwrap_or_default().trim();
            if !name.is_empty() && !name.contains('{') && !reexported.contains_key(name) {
                reexported.insert(name.to_owned(), vec![EXTERNAL.to_owned()]);
            }
        }
    }
    let mut graph = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let text = code(&std::fs::read_to_string(file).expect("read source"));
        let mut paths = use_paths(&text, &here, &modules, false);
        for path in &mut paths {
            if let Some(module) =
                path.first().and_then(|first| reexported.get(first)).filter(|_| path.len() == 1)
            {
                *path = module.clone();
            }
        }
        for (i, _) in text.match_indices("crate::") {
            if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest: String =
                text[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let path: Vec<String> = rest.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
            if path.is_empty() {
                // `use crate::{…}`: the use tree was read above.
                continue;
            }
            match path.first().and_then(|first| reexported.get(first)) {
                Some(module) => paths.push(module.clone()),
                None => paths.push(path),
            }
        }
        let targets: &mut BTreeSet<Vec<String>> = graph.entry(here.clone()).or_default();
        for path in paths {
            if path.first().is_some_and(|p| p == EXTERNAL) {
                continue;
            }
            let target = owner(&modules, &path);
            // A module reaching into itself or an enclosing module's items
            // through its own path is not an import of another module.
            if target != here && !here.starts_with(&target) || target.is_empty() && !here.is_empty() {
                targets.insert(target);
            }
        }
    }
    graph
}

/// The strongly connected sets of two or more modules (Tarjan).
fn loops(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct State<'a> {
        graph: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        found: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut s =
        State { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_module_imports_another_in_a_loop() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut crates = vec![root.join("src")];
    for dir in ["edge", "schema", "entities", "migrations", "router", "router/test-subgraphs", "bench"] {
        crates.push(root.join(dir).join("src"));
    }
    for entry in std::fs::read_dir(root.join("subgraphs")).expect("subgraphs").flatten() {
        crates.push(entry.path().join("src"));
    }
    let mut found = Vec::new();
    for src in &crates {
        for component in loops(&imports(src)) {
            let names: Vec<String> =
                component.iter().map(|m| if m.is_empty() { "crate".into() } else { m.join("::") }).collect();
            found.push(format!("{}: {}", src.display(), names.join(" <-> ")));
        }
    }
    assert!(found.is_empty(), "import loops:\n{}", found.join("\n"));
    // The check sees imports at all: a crate's root imports its modules.
    assert!(imports(&root.join("router/src")).values().any(|t| !t.is_empty()));
}

#[test]
fn the_loop_check_finds_a_loop() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("lib.rs"), "mod a;\nmod b;\n").expect("write");
    std::fs::write(dir.path().join("a.rs"), "use crate::b::B;\npub struct A;\n").expect("write");
    std::fs::write(dir.path().join("b.rs"), "use super::a::{self, A};\npub struct B;\n").expect("write");
    let found = loops(&imports(dir.path()));
    assert_eq!(found.len(), 1, "{found:?}");
}
