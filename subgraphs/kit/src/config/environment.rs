//! The configuration's environment layer, read from a list of variables
//! rather than straight from the process, so what a deployment file sets
//! can be checked the same way a process reads it (`tests/e2e/deploy.rs`).
//!
//! - `BACKBONE_<PATH>`, `__` between levels (`BACKBONE_AUTH__HS256_SECRET`),
//!   the value parsed as figment parses environment values (`[…]` lists
//!   and `{k=v}` tables included);
//! - `DATABASE_URL` and `REDIS_URL`, below their `BACKBONE_` forms, because
//!   every hosting platform sets them;
//! - `BACKBONE_<PATH>_FILE`: the content of the file it names, less the
//!   trailing newline (secrets Docker and Kubernetes mount as files). An
//!   unreadable file is an error naming the variable, never a fallback.
//!
//! `BACKBONE_LOG` (the log filter) and `BACKBONE_LOG_FORMAT` are read by the
//! binary before configuration, and are not configuration.

use figment::{
    Figment, Metadata, Profile, Provider,
    providers::Serialized,
    value::{Dict, Map, Value},
};

use super::ConfigError;

/// The environment layer of `vars`.
pub fn layer(vars: impl IntoIterator<Item = (String, String)>) -> Result<Figment, ConfigError> {
    let (mut bare, mut prefixed, mut files) = (Vars::default(), Vars::named(), Vec::new());
    for (name, value) in vars {
        if name == "DATABASE_URL" || name == "REDIS_URL" {
            bare.0.push((name.to_ascii_lowercase(), value));
            continue;
        }
        let Some(path) = name.strip_prefix("BACKBONE_") else { continue };
        let path = path.to_ascii_lowercase();
        if path == "log" || path == "log_format" {
            continue;
        }
        match path.strip_suffix("_file") {
            Some(key) => files.push((name.clone(), key.replace("__", "."), value)),
            None => prefixed.0.push((path.replace("__", "."), value)),
        }
    }
    let mut figment =
        Figment::new().merge(bare.with_name("`DATABASE_URL`/`REDIS_URL` environment variable(s)"));
    figment = figment.merge(prefixed);
    for (name, key, path) in files {
        let content = std::fs::read_to_string(&path)
            .map_err(|e| ConfigError::Rule(format!("{name}: cannot read {path}: {e}")))?;
        figment = figment.merge(Serialized::default(&key, content.trim_end_matches(['\n', '\r']).to_owned()));
    }
    Ok(figment)
}

/// Dotted keys and raw values, as figment's `Env` provider makes them.
#[derive(Default)]
struct Vars(Vec<(String, String)>, Option<&'static str>);

impl Vars {
    fn named() -> Self {
        Self(Vec::new(), Some("`BACKBONE_` environment variable(s)"))
    }

    fn with_name(mut self, name: &'static str) -> Self {
        self.1 = Some(name);
        self
    }
}

impl Provider for Vars {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.1.unwrap_or("environment variable(s)"))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (key, raw) in &self.0 {
            if key.split('.').any(str::is_empty) {
                continue;
            }
            let value: Value = raw.parse().unwrap_or_else(|never| match never {});
            if let Some(nested) = figment::util::nest(key, value).into_dict() {
                merge(&mut dict, nested);
            }
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// `from` over `into`, tables merged key by key.
fn merge(into: &mut Dict, from: Dict) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Dict(_, old)), Value::Dict(_, new)) => merge(old, new),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}
