//! Which object types an abstract type stands for: an interface's
//! implementations and a union's members. An entity fetch's
//! representations are chosen by type condition, and a condition on an
//! interface (`... on Account`, an `@interfaceObject`) covers every object
//! that implements it (`Admin`, `Regular`).

use std::collections::{BTreeSet, HashMap};

use hive_router_query_planner::state::supergraph_state::{SupergraphDefinition, SupergraphState};

/// Abstract type → the object types it covers.
#[derive(Debug, Default)]
pub struct PossibleTypes(HashMap<String, BTreeSet<String>>);

impl PossibleTypes {
    /// From the supergraph.
    pub fn new(supergraph: &SupergraphState) -> Self {
        let mut map: HashMap<String, BTreeSet<String>> = supergraph.interface_to_object_types.clone();
        for (name, def) in &supergraph.definitions {
            if let SupergraphDefinition::Union(u) = def {
                map.insert(name.clone(), u.types.iter().cloned().collect());
            }
        }
        Self(map)
    }

    /// Whether an object of type `object` satisfies the condition `on`.
    pub fn satisfies(&self, object: &str, on: &str) -> bool {
        object == on || self.0.get(on).is_some_and(|types| types.contains(object))
    }
}
