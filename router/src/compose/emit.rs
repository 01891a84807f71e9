//! Writing the merged graph as an Apollo supergraph SDL (link v1.0,
//! join v0.3), deterministically: types sorted by name.

use std::fmt::Write;

use super::{
    merge::{MField, MType, Merged},
    subgraph::{Kind, Parsed},
};

const JOIN_DEFINITIONS: &str = r#"directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
"#;

const INACCESSIBLE_DEFINITION: &str = "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n";
const TAG_DEFINITION: &str = "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION\n";

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn description(out: &mut String, indent: &str, d: &Option<String>) {
    if let Some(d) = d.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(
            out,
            "{indent}\"\"\"\n{indent}{}\n{indent}\"\"\"",
            d.replace("\"\"\"", "\\\"\"\"").replace('\n', &format!("\n{indent}"))
        );
    }
}

pub(crate) fn emit(merged: &Merged, subgraphs: &[Parsed]) -> String {
    let any_inaccessible = merged.types.values().any(|t| {
        t.inaccessible
            || t.fields.values().any(|f| {
                f.inaccessible || f.args.iter().any(|a| a.directives.iter().any(|d| d.name == "inaccessible"))
            })
            || t.values.values().any(|v| v.inaccessible)
    });
    let any_tag =
        merged.types.values().any(|t| !t.tags.is_empty() || t.fields.values().any(|f| !f.tags.is_empty()));
    let mut out = String::new();
    out.push_str("schema\n  @link(url: \"https://specs.apollo.dev/link/v1.0\")\n  @link(url: \"https://specs.apollo.dev/join/v0.3\", for: EXECUTION)\n");
    if any_inaccessible {
        out.push_str("  @link(url: \"https://specs.apollo.dev/inaccessible/v0.2\", for: SECURITY)\n");
    }
    if any_tag {
        out.push_str("  @link(url: \"https://specs.apollo.dev/tag/v0.3\")\n");
    }
    out.push_str("{\n");
    for (field, ty) in [("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription")] {
        if merged.types.get(ty).is_some_and(|t| !t.fields.is_empty()) {
            let _ = writeln!(out, "  {field}: {ty}");
        }
    }
    out.push_str("}\n\n");
    if any_inaccessible {
        out.push_str(INACCESSIBLE_DEFINITION);
        out.push('\n');
    }
    out.push_str(JOIN_DEFINITIONS);
    if any_tag {
        out.push('\n');
        out.push_str(TAG_DEFINITION);
    }
    let mut names: Vec<&String> = merged.types.keys().collect();
    names.sort();
    let mut sorted_graphs: Vec<&Parsed> = subgraphs.iter().collect();
    sorted_graphs.sort_by(|a, b| a.graph.cmp(&b.graph));
    out.push_str("\nscalar join__FieldSet\n\nenum join__Graph {\n");
    for s in &sorted_graphs {
        let _ = writeln!(out, "  {} @join__graph(name: {}, url: {})", s.graph, quote(&s.name), quote(&s.url));
    }
    out.push_str("}\n\nscalar link__Import\n\nenum link__Purpose {\n  \"\"\"\n  `SECURITY` features provide metadata necessary to securely resolve fields.\n  \"\"\"\n  SECURITY\n\n  \"\"\"\n  `EXECUTION` features provide metadata necessary for operation execution.\n  \"\"\"\n  EXECUTION\n}\n");
    for name in names {
        let t = &merged.types[name];
        if t.kind != Kind::Scalar && t.kind != Kind::Union && t.kind != Kind::Enum && t.fields.is_empty() {
            continue;
        }
        out.push('\n');
        emit_type(&mut out, t);
    }
    out
}

fn type_directives(t: &MType) -> String {
    let mut s = String::new();
    for g in &t.graphs {
        if g.keys.is_empty() {
            let _ = write!(s, "\n  @join__type(graph: {}", g.graph);
            if g.extension {
                s.push_str(", extension: true");
            }
            if g.interface_object {
                s.push_str(", isInterfaceObject: true");
            }
            s.push(')');
        }
        for (key, resolvable) in &g.keys {
            let _ = write!(s, "\n  @join__type(graph: {}, key: {}", g.graph, quote(key));
            if g.extension {
                s.push_str(", extension: true");
            }
            if !resolvable {
                s.push_str(", resolvable: false");
            }
            if g.interface_object {
                s.push_str(", isInterfaceObject: true");
            }
            s.push(')');
        }
    }
    if t.kind != Kind::Union {
        for (graph, iface) in &t.implements {
            let _ = write!(s, "\n  @join__implements(graph: {graph}, interface: {})", quote(iface));
        }
    }
    for (graph, member) in &t.members {
        let _ = write!(s, "\n  @join__unionMember(graph: {graph}, member: {})", quote(member));
    }
    if t.inaccessible {
        s.push_str("\n  @inaccessible");
    }
    for tag in &t.tags {
        let _ = write!(s, "\n  @tag(name: {})", quote(tag));
    }
    s
}

fn emit_type(out: &mut String, t: &MType) {
    description(out, "", &t.description);
    let directives = type_directives(t);
    match t.kind {
        Kind::Scalar => {
            let _ = writeln!(out, "scalar {}{}", t.name, directives);
        }
        Kind::Union => {
            let mut members: Vec<&str> = t.members.iter().map(|(_, m)| m.as_str()).collect();
            members.sort();
            members.dedup();
            let _ = writeln!(out, "union {}{} = {}", t.name, directives, members.join(" | "));
        }
        Kind::Enum => {
            let _ = writeln!(out, "enum {}{} {{", t.name, directives);
            for (name, v) in &t.values {
                description(out, "  ", &v.description);
                let _ = write!(out, "  {name}");
                for g in &v.graphs {
                    let _ = write!(out, " @join__enumValue(graph: {g})");
                }
                if v.inaccessible {
                    out.push_str(" @inaccessible");
                }
                if let Some(d) = &v.deprecated {
                    let _ = write!(out, " {d}");
                }
                out.push('\n');
            }
            out.push_str("}\n");
        }
        Kind::Object | Kind::Interface | Kind::Input => {
            let keyword = match t.kind {
                Kind::Object => "type",
                Kind::Interface => "interface",
                _ => "input",
            };
            let mut implements: Vec<&str> = t.implements.iter().map(|(_, i)| i.as_str()).collect();
            implements.sort();
            implements.dedup();
            let imp = if implements.is_empty() {
                String::new()
            } else {
                format!(" implements {}", implements.join(" & "))
            };
            let _ = writeln!(out, "{keyword} {}{imp}{directives}\n{{", t.name);
            let multi = t.graphs.len() > 1;
            for f in t.fields.values() {
                emit_field(out, f, multi);
            }
            out.push_str("}\n");
        }
    }
}

fn emit_field(out: &mut String, f: &MField, multi: bool) {
    description(out, "  ", &f.description);
    let _ = write!(out, "  {}", f.name);
    if !f.args.is_empty() {
        let args: Vec<String> = f.args.iter().map(|a| a.to_string().trim().replace('\n', " ")).collect();
        let _ = write!(out, "({})", args.join(", "));
    }
    let _ = write!(out, ": {}", f.ty);
    if let Some(default) = &f.default {
        let _ = write!(out, " = {default}");
    }
    let special = f.graphs.iter().any(|g| {
        g.external
            || g.requires.is_some()
            || g.provides.is_some()
            || g.override_from.is_some()
            || g.ty != f.ty
    });
    if f.via_interface_object && f.graphs.is_empty() {
        out.push_str(" @join__field");
    }
    // As Apollo writes it: once the subgraphs' types differ, every
    // subgraph's own type is named.
    let typed = f.graphs.iter().any(|g| g.ty != f.ty);
    if multi || special {
        // In graph order, as Apollo writes them.
        let mut graphs: Vec<_> = f.graphs.iter().collect();
        graphs.sort_by(|a, b| a.graph.cmp(&b.graph));
        for g in graphs {
            let mut args = vec![format!("graph: {}", g.graph)];
            if let Some(r) = &g.requires {
                args.push(format!("requires: {}", quote(r)));
            }
            if let Some(p) = &g.provides {
                args.push(format!("provides: {}", quote(p)));
            }
            if typed {
                args.push(format!("type: {}", quote(&g.ty)));
            }
            if g.external {
                args.push("external: true".into());
            }
            if let Some(from) = &g.override_from {
                args.push(format!("override: {}", quote(from)));
            }
            if g.used_overridden {
                args.push("usedOverridden: true".into());
            }
            let _ = write!(out, " @join__field({})", args.join(", "));
        }
    }
    if f.inaccessible {
        out.push_str(" @inaccessible");
    }
    for tag in &f.tags {
        let _ = write!(out, " @tag(name: {})", quote(tag));
    }
    if let Some(d) = &f.deprecated {
        let _ = write!(out, " {d}");
    }
    out.push('\n');
}
