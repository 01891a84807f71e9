//! Composer unit tests: output the planner accepts, and errors that name
//! the subgraph, type and field.

use super::{SubgraphSdl, compose};

fn sg(name: &str, sdl: &str) -> SubgraphSdl {
    SubgraphSdl { name: name.into(), url: format!("http://{name}.test/graphql"), sdl: sdl.into() }
}

const LINK: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", "@tag", "@interfaceObject"])"#;

fn plannable(supergraph: &str) {
    let doc =
        graphql_tools::parser::parse_schema::<String>(supergraph).expect("supergraph parses").into_static();
    hive_router_query_planner::planner::Planner::new_from_supergraph(&doc, Default::default())
        .unwrap_or_else(|e| panic!("planner rejects supergraph: {e}\n{supergraph}"));
}

#[test]
fn composes_entities_across_v2_and_v1_subgraphs() {
    let accounts = format!(
        "{LINK}\ntype Query {{ me: User }}\n\"A person\"\ntype User @key(fields: \"id\") {{ id: ID! name: String @shareable }}"
    );
    let reviews = format!(
        "{LINK}\ntype Review {{ body: String! author: User @provides(fields: \"name\") product: Product }}\ntype User @key(fields: \"id\") {{ id: ID! name: String @external reviews: [Review] }}\ntype Product @key(fields: \"upc\") {{ upc: String! reviews: [Review] }}"
    );
    // Federation v1: plain directives and `extend type`.
    let inventory = "extend type Product @key(fields: \"upc\") { upc: String! @external weight: Int @external inStock: Boolean shippingEstimate: Int @requires(fields: \"weight\") }";
    let products = format!(
        "{LINK}\ntype Query {{ topProducts(first: Int = 5): [Product] }}\ntype Product @key(fields: \"upc\") {{ upc: String! name: String weight: Int }}"
    );
    let sdl = compose(&[
        sg("accounts", &accounts),
        sg("reviews", &reviews),
        sg("inventory", inventory),
        sg("products", &products),
    ])
    .expect("composes");
    assert!(sdl.contains("@join__type(graph: INVENTORY, key: \"upc\", extension: true)"), "{sdl}");
    assert!(
        sdl.contains("shippingEstimate: Int @join__field(graph: INVENTORY, requires: \"weight\")"),
        "{sdl}"
    );
    assert!(sdl.contains("author: User @join__field(graph: REVIEWS, provides: \"name\")"), "{sdl}");
    assert!(
        sdl.contains(
            "name: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)"
        ),
        "{sdl}"
    );
    assert!(sdl.contains("\"\"\"\nA person\n\"\"\""), "{sdl}");
    assert!(sdl.contains("topProducts(first: Int = 5): [Product]"), "{sdl}");
    plannable(&sdl);
}

#[test]
fn interfaces_unions_enums_inputs_override_and_prefixed_names() {
    let a = format!(
        "{LINK}\ntype Query {{ search(q: SearchInput!): [Result] media: [Media] }}\ninput SearchInput {{ text: String! limit: Int }}\nunion Result = Book | Movie\ninterface Media @key(fields: \"id\") {{ id: ID! title: String }}\ntype Book implements Media @key(fields: \"id\") {{ id: ID! title: String kind: Kind }}\ntype Movie implements Media @key(fields: \"id\") {{ id: ID! title: String @shareable }}\nenum Kind {{ PAPER EBOOK }}"
    );
    // The prefixed form: nothing imported.
    let b = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")
type Movie @federation__key(fields: "id") { id: ID! title: String @federation__shareable rating: Int @federation__override(from: "a") @federation__tag(name: "public") }
type Media @federation__key(fields: "id") @federation__interfaceObject { id: ID! popularity: Int }
enum Kind { PAPER AUDIO }
input SearchInput { text: String! }"#;
    let sdl = compose(&[sg("a", &a), sg("b", b)]).expect("composes");
    assert!(sdl.contains("union Result"), "{sdl}");
    assert!(sdl.contains("@join__unionMember(graph: A, member: \"Book\")"), "{sdl}");
    assert!(sdl.contains("@join__type(graph: B, key: \"id\", isInterfaceObject: true)"), "{sdl}");
    assert!(
        sdl.contains("rating: Int @join__field(graph: B, override: \"a\") @tag(name: \"public\")"),
        "{sdl}"
    );
    assert!(sdl.contains("AUDIO @join__enumValue(graph: B)"), "{sdl}");
    assert!(sdl.contains("popularity: Int"), "interface object fields reach implementations: {sdl}");
    plannable(&sdl);
}

#[test]
fn errors_name_the_subgraph_type_and_field() {
    let a = format!("{LINK}\ntype Query {{ a: Thing }}\ntype Thing {{ name: String }}");
    let b = format!("{LINK}\ntype Query {{ b: Thing }}\ntype Thing {{ name: String }}");
    let err = compose(&[sg("a", &a), sg("b", &b)]).expect_err("non-shareable");
    let msg = err.to_string();
    assert!(msg.contains("Thing.name") && msg.contains("not @shareable"), "{msg}");
    assert_eq!(err.0[0].field.as_deref(), Some("name"));

    let c = format!("{LINK}\ntype Query {{ c: Thing }}\ntype Thing {{ name: Int @shareable }}");
    let d = format!("{LINK}\ntype Query {{ d: Thing }}\ntype Thing {{ name: String @shareable }}");
    let err = compose(&[sg("c", &c), sg("d", &d)]).expect_err("type mismatch");
    assert_eq!(err.0[0].subgraph.as_deref(), Some("d"));
    assert_eq!(err.0[0].type_name.as_deref(), Some("Thing"));
    assert!(err.to_string().contains("has type String here but Int"), "{err}");

    let bad = compose(&[sg("e", "type Query { x: }")]).expect_err("parse error");
    assert_eq!(bad.0[0].subgraph.as_deref(), Some("e"));
}

/// Issue 14, items 6–8: what Apollo's composer accepts (checked with
/// `router/test-subgraphs/apollo`), ours accepts and writes the same way.
#[test]
fn nested_key_fields_type_level_external_and_an_override_from_nowhere_compose() {
    // Fields inside a key, nested ones included, are shareable.
    let users = |q: &str, extra: &str| {
        format!(
            "{LINK}\ntype Query {{ {q}: User }}\ntype User @key(fields: \"id compositeId {{ one two }}\") {{ id: ID! compositeId: CompositeId! {extra}: String }}\ntype CompositeId {{ one: ID! two: ID! }}"
        )
    };
    let sdl = compose(&[sg("a", &users("me", "name")), sg("b", &users("top", "email"))])
        .unwrap_or_else(|e| panic!("nested key fields are shareable: {e}"));
    assert!(sdl.contains("@join__type(graph: A, key: \"id compositeId { one two }\")"), "{sdl}");
    plannable(&sdl);

    // `type Category @external`: every field of it is external there.
    let c = format!(
        "{LINK}\ntype Query {{ products: [Product] }}\ntype Product @key(fields: \"id\") {{ id: ID! category: Category @provides(fields: \"id name\") }}\ntype Category @key(fields: \"id\") @external {{ id: ID! name: String }}"
    );
    let d = format!(
        "{LINK}\ntype Query {{ categories: [Category] @shareable }}\ntype Category @key(fields: \"id\") {{ id: ID! name: String @shareable }}"
    );
    let sdl = compose(&[sg("c", &c), sg("d", &d)]).unwrap_or_else(|e| panic!("type-level @external: {e}"));
    assert!(
        sdl.contains("id: ID! @join__field(graph: C, external: true) @join__field(graph: D)")
            && sdl.contains("name: String @join__field(graph: C, external: true) @join__field(graph: D)"),
        "{sdl}"
    );
    plannable(&sdl);

    // An override naming no subgraph moves nothing and is not an error.
    let o = format!("{LINK}\ntype Query {{ o: Int @override(from: \"nobody\") }}");
    let sdl = compose(&[sg("o", &o)]).unwrap_or_else(|e| panic!("override from nowhere: {e}"));
    assert!(sdl.contains("o: Int"), "{sdl}");
    plannable(&sdl);
}

/// Issue 14, item 11: an input object shared by several subgraphs composes
/// as the intersection of their fields, so a client never sends a field
/// some subgraph does not accept; a required field missing in one is an
/// error naming both (as Apollo's composer).
#[test]
fn shared_input_objects_compose_as_the_intersection_of_their_fields() {
    let a = format!("{LINK}\ntype Query {{ a(f: Filter): Int }}\ninput Filter {{ text: String limit: Int }}");
    let b = format!("{LINK}\ntype Query {{ b(f: Filter): Int }}\ninput Filter {{ text: String }}");
    let sdl = compose(&[sg("a", &a), sg("b", &b)]).unwrap_or_else(|e| panic!("{e}"));
    let filter = sdl.split("input Filter").nth(1).and_then(|s| s.split('}').next()).unwrap_or_default();
    assert!(filter.contains("text: String") && !filter.contains("limit"), "{sdl}");
    plannable(&sdl);

    let c =
        format!("{LINK}\ntype Query {{ c(f: Filter): Int }}\ninput Filter {{ text: String limit: Int! }}");
    let err = compose(&[sg("b", &b), sg("c", &c)]).expect_err("required field missing in b");
    let msg = err.to_string();
    assert!(msg.contains("Filter.limit") && msg.contains("\"c\"") && msg.contains("\"b\""), "{msg}");
}

/// Issue 14, item 10: key fields marked `@external` on an entity extension
/// (Federation 1 `extend type … @key` with `id: ID! @external`) are not
/// external in the supergraph: the extension subgraph resolves its own key,
/// as Apollo's composer writes it.
#[test]
fn external_key_fields_of_an_extension_are_resolvable_there() {
    let products =
        "type Query { products: [Product] }\ntype Product @key(fields: \"id\") { id: ID! name: String }";
    let reviews = "type Query { reviews: [Review] }\ntype Review { body: String product: Product }\nextend type Product @key(fields: \"id\") { id: ID! @external reviews: [Review] }";
    let sdl = compose(&[sg("p", products), sg("r", reviews)]).unwrap_or_else(|e| panic!("{e}"));
    let product = sdl.split("type Product").nth(1).and_then(|s| s.split('}').next()).unwrap_or_default();
    let id = product.lines().find(|l| l.trim_start().starts_with("id:")).unwrap_or_default();
    assert!(!id.contains("external"), "the key field is resolvable in r: {id}\n{sdl}");
    plannable(&sdl);
    // The same in a Federation 2 subgraph (Apollo refuses a plain type
    // whose key is external: the key could be resolved nowhere there).
    let reviews2 = format!(
        "{LINK}\ntype Query {{ reviews: [Review] }}\ntype Review {{ body: String product: Product }}\nextend type Product @key(fields: \"id\") {{ id: ID! @external reviews: [Review] }}"
    );
    let products2 = format!("{LINK}\n{products}");
    let sdl = compose(&[sg("p", &products2), sg("r", &reviews2)]).unwrap_or_else(|e| panic!("{e}"));
    let product = sdl.split("type Product").nth(1).and_then(|s| s.split('}').next()).unwrap_or_default();
    let id = product.lines().find(|l| l.trim_start().starts_with("id:")).unwrap_or_default();
    assert!(!id.contains("external"), "Fed 2 form: {id}\n{sdl}");
}

/// Issue 14, item 9: a field whose type is a union (or interface) in one
/// subgraph and one of its members in another composes to the most general
/// type, with each subgraph's own type in `@join__field(type:)`, as Apollo
/// writes it.
#[test]
fn a_field_typed_by_a_union_here_and_a_member_there_composes_to_the_union() {
    let a = format!(
        "{LINK}\ntype Query {{ book: Media @shareable }}\nunion Media = Book | Movie\ntype Book @key(fields: \"id\") {{ id: ID! title: String }}\ntype Movie @key(fields: \"id\") {{ id: ID! }}"
    );
    let b = format!(
        "{LINK}\ntype Query {{ book: Book @shareable }}\ntype Book @key(fields: \"id\") {{ id: ID! author: String }}"
    );
    for order in [[("a", &a), ("b", &b)], [("b", &b), ("a", &a)]] {
        let sdl = compose(&[sg(order[0].0, order[0].1), sg(order[1].0, order[1].1)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sdl.contains(
                "book: Media @join__field(graph: A, type: \"Media\") @join__field(graph: B, type: \"Book\")"
            ),
            "{sdl}"
        );
        plannable(&sdl);
    }
}

/// Issue 14, item 12: an `@interfaceObject` field with `@requires` composes
/// to the join directives Apollo writes: `requires` on the interface, a
/// bare `@join__field` on each implementation (it is not resolvable there
/// directly), and the required field external only in the interface-object
/// subgraph.
#[test]
fn an_interface_object_field_with_requires_composes_as_apollo_writes_it() {
    let id = format!(
        "{LINK}\ninterface Account @key(fields: \"id\") {{ id: ID! name: String! }}\ntype Admin implements Account @key(fields: \"id\") {{ id: ID! name: String! }}\ntype Query {{ accounts: [Account!]! }}"
    );
    let bill = format!(
        "{LINK}\ntype Account @key(fields: \"id\") @interfaceObject {{ id: ID! name: String! @external greeting: String! @requires(fields: \"name\") }}"
    );
    let sdl = compose(&[sg("id", &id), sg("bill", &bill)]).unwrap_or_else(|e| panic!("{e}"));
    let section = |head: &str| {
        sdl.split(head).nth(1).and_then(|s| s.split("\n}").next()).unwrap_or_default().to_owned()
    };
    let account = section("interface Account");
    assert!(
        account.contains("name: String! @join__field(graph: BILL, external: true) @join__field(graph: ID)"),
        "{sdl}"
    );
    assert!(account.contains("greeting: String! @join__field(graph: BILL, requires: \"name\")"), "{sdl}");
    let admin = section("type Admin");
    assert!(
        admin.contains("greeting: String! @join__field\n")
            || admin.trim_end().ends_with("greeting: String! @join__field"),
        "{sdl}"
    );
    assert!(!admin.contains("requires"), "{sdl}");
    plannable(&sdl);
}
