//! Subgraphs' own tables of the configuration (`[complaints]`,
//! `[consent]`, …). The kit reads them as raw values; the subgraph that owns
//! one parses it into its own [`Section`] type, with the same strictness as
//! the kit's tables (unknown keys refused). A table no subgraph owns is
//! refused at start ([`Sections::check_known`]).

use std::{any::Any, collections::BTreeMap, fmt, sync::Arc};

use serde::{Deserialize, Deserializer, de::DeserializeOwned};

use super::ConfigError;

/// A subgraph's configuration table.
pub trait Section: DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static {
    /// Checks rules types cannot express.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The table of a subgraph that has no settings: any key in it is refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

impl Section for NoSettings {}

/// The tables the kit does not know, by name: as read from the file and
/// environment, or set by code (dev mode and tests), which wins.
#[derive(Clone, Default)]
pub struct Sections {
    read: BTreeMap<String, serde_json::Value>,
    set: BTreeMap<String, Arc<dyn Any + Send + Sync>>,
}

impl Sections {
    /// The table `name` as `T`: what code set, else what was read, else
    /// `T::default()`.
    pub fn get<T: Section>(&self, name: &str) -> Result<T, ConfigError> {
        if let Some(value) = self.set.get(name).and_then(|v| v.downcast_ref::<T>()) {
            return Ok(value.clone());
        }
        let value: T = match self.read.get(name) {
            Some(raw) => T::deserialize(raw).map_err(|e| ConfigError::Rule(format!("[{name}]: {e}")))?,
            None => T::default(),
        };
        value.validate().map_err(|e| ConfigError::Rule(format!("[{name}]: {e}")))?;
        Ok(value)
    }

    /// The table `name` as read from the file and environment, untyped
    /// (for checks of keys whose type lives in the subgraph's crate).
    pub fn raw(&self, name: &str) -> Option<&serde_json::Value> {
        self.read.get(name)
    }

    /// Replaces the table `name` (dev mode fills in addresses; tests tune
    /// timings).
    pub fn set<T: Section>(&mut self, name: &str, value: T) {
        self.set.insert(name.to_owned(), Arc::new(value));
    }

    /// Changes the table `name` in place, starting from what [`Sections::get`]
    /// gives.
    pub fn update<T: Section>(&mut self, name: &str, change: impl FnOnce(&mut T)) -> Result<(), ConfigError> {
        let mut value = self.get::<T>(name)?;
        change(&mut value);
        self.set(name, value);
        Ok(())
    }

    /// Refuses a table that is not in `known` (a typo such as `[complaint]`
    /// must not silently fall back to defaults).
    pub fn check_known(&self, known: &[&str]) -> Result<(), ConfigError> {
        match self.read.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(ConfigError::Rule(format!(
                "unknown key `{unknown}`: neither a setting of the platform nor a subgraph's table ({})",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }
}

impl<'de> Deserialize<'de> for Sections {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self { read: BTreeMap::deserialize(deserializer)?, set: BTreeMap::new() })
    }
}

/// Names only: tables hold secrets.
impl fmt::Debug for Sections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.read.keys().chain(self.set.keys())).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Desk {
        tick_ms: u64,
    }

    impl Default for Desk {
        fn default() -> Self {
            Self { tick_ms: 5 }
        }
    }

    impl Section for Desk {
        fn validate(&self) -> Result<(), String> {
            if self.tick_ms == 0 { Err("tick_ms must be positive".into()) } else { Ok(()) }
        }
    }

    fn read(raw: serde_json::Value) -> Sections {
        serde_json::from_value(raw).expect("sections")
    }

    #[test]
    fn a_table_is_parsed_by_its_owner_strictly_and_code_overrides_it() {
        let sections = read(serde_json::json!({"desk": {"tick_ms": 7}}));
        assert_eq!(sections.get::<Desk>("desk").expect("desk").tick_ms, 7);
        assert_eq!(sections.get::<Desk>("other").expect("default").tick_ms, 5);

        let typo = read(serde_json::json!({"desk": {"tick": 7}}));
        assert!(typo.get::<Desk>("desk").expect_err("refused").to_string().contains("tick"));
        let zero = read(serde_json::json!({"desk": {"tick_ms": 0}}));
        assert!(zero.get::<Desk>("desk").expect_err("refused").to_string().contains("positive"));

        let mut sections = sections;
        sections.update::<Desk>("desk", |d| d.tick_ms = 9).expect("update");
        assert_eq!(sections.get::<Desk>("desk").expect("desk").tick_ms, 9);
    }

    #[test]
    fn an_unknown_table_is_refused_and_no_value_is_printed() {
        let sections = read(serde_json::json!({"desk": {"secret": "hunter2"}, "dekk": {}}));
        assert!(sections.check_known(&["desk"]).expect_err("refused").to_string().contains("dekk"));
        assert!(read(serde_json::json!({"desk": {}})).check_known(&["desk"]).is_ok());
        assert!(!format!("{sections:?}").contains("hunter2"));
    }
}
