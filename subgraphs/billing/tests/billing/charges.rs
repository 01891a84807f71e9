//! Each charge model against a table of quantities and amounts worked by
//! hand, tier boundaries included, and the refusals of bad models.

use rust_decimal::Decimal;
use serde_json::json;
use subgraph_billing::domain::charges::{ChargeModel, Tier};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn tier(up_to: Option<&str>, unit_price: &str, flat_fee: &str) -> Tier {
    Tier { up_to: up_to.map(d), unit_price: d(unit_price), flat_fee: d(flat_fee) }
}

/// 1–100 at 0.10 (plus 2.00 once), 101–1000 at 0.05, above at 0.01.
fn tiers() -> Vec<Tier> {
    vec![tier(Some("100"), "0.10", "2.00"), tier(Some("1000"), "0.05", "0"), tier(None, "0.01", "0")]
}

fn check(model: &ChargeModel, table: &[(&str, &str)]) {
    for (quantity, amount) in table {
        let priced = model.price(d(quantity)).expect("priced");
        assert_eq!(priced.amount, d(amount), "{model:?} at {quantity}: {:?}", priced.parts);
        let sum: Decimal = priced.parts.iter().map(|p| p.amount).sum();
        assert_eq!(sum, priced.amount, "the parts add up");
    }
}

#[test]
fn flat_charges_the_same_whatever_the_quantity() {
    check(&ChargeModel::Flat { amount: d("49.00") }, &[("0", "49.00"), ("1", "49.00"), ("1000000", "49.00")]);
}

#[test]
fn per_unit_multiplies() {
    let m = ChargeModel::PerUnit { unit_price: d("0.002") };
    check(&m, &[("0", "0"), ("1", "0.002"), ("1500", "3.000"), ("1234567", "2469.134")]);
}

#[test]
fn graduated_prices_each_tiers_units_at_its_own_price() {
    let m = ChargeModel::Graduated { tiers: tiers() };
    check(
        &m,
        &[
            ("0", "0"),
            // 1 × 0.10 + 2.00
            ("1", "2.10"),
            // 100 × 0.10 + 2.00: the last unit of the first tier
            ("100", "12.00"),
            // + 1 × 0.05: the first unit of the second tier
            ("101", "12.05"),
            // 12.00 + 900 × 0.05
            ("1000", "57.00"),
            // + 1 × 0.01
            ("1001", "57.01"),
            // 57.00 + 4000 × 0.01
            ("5000", "97.00"),
            // fractional units: 12.00 + 0.5 × 0.05
            ("100.5", "12.025"),
        ],
    );
    let parts = m.price(d("1001")).expect("priced").parts;
    let tiers_used: Vec<Option<usize>> = parts.iter().map(|p| p.tier).collect();
    assert_eq!(tiers_used, [Some(0), Some(0), Some(1), Some(2)], "units, fee, units, units: {parts:?}");
    assert_eq!(parts[2].units, d("900"));
}

#[test]
fn volume_prices_every_unit_at_the_tier_of_the_whole_quantity() {
    let m = ChargeModel::Volume { tiers: tiers() };
    check(
        &m,
        &[
            ("0", "0"),
            ("1", "2.10"),
            // 100 × 0.10 + 2.00
            ("100", "12.00"),
            // the whole 101 in the second tier: 101 × 0.05
            ("101", "5.05"),
            ("1000", "50.00"),
            // 1001 × 0.01
            ("1001", "10.01"),
            ("5000", "50.00"),
        ],
    );
}

#[test]
fn package_charges_every_started_package_after_the_free_units() {
    let m = ChargeModel::Package { size: d("100"), price: d("5.00"), free_units: d("50") };
    check(
        &m,
        &[("0", "0"), ("50", "0"), ("51", "5.00"), ("150", "5.00"), ("151", "10.00"), ("1050", "50.00")],
    );
    let no_free = ChargeModel::Package { size: d("1000"), price: d("0.40"), free_units: d("0") };
    check(&no_free, &[("1", "0.40"), ("1000", "0.40"), ("1001", "0.80")]);
}

#[test]
fn models_read_from_json_as_stored() {
    let m: ChargeModel = serde_json::from_value(json!({"model": "graduated", "tiers": [
        {"upTo": "100", "unitPrice": "0.10", "flatFee": "2.00"},
        {"upTo": "1000", "unitPrice": "0.05"},
        {"upTo": null, "unitPrice": "0.01"}
    ]}))
    .expect("model");
    assert_eq!(m, ChargeModel::Graduated { tiers: tiers() });
}

#[test]
fn bad_models_and_quantities_are_refused_with_the_field_named() {
    let field = |m: &ChargeModel, q: &str| match m.price(d(q)) {
        Err(subgraph_kit::ApiError::BadUserInput { field, .. }) => field.unwrap_or_default(),
        other => panic!("{m:?} at {q}: {other:?}"),
    };
    let ok = ChargeModel::PerUnit { unit_price: d("1") };
    assert_eq!(field(&ok, "-1"), "quantity");
    assert_eq!(field(&ChargeModel::PerUnit { unit_price: d("-0.01") }, "1"), "unitPrice");
    let overlapping = ChargeModel::Graduated {
        tiers: vec![tier(Some("100"), "1", "0"), tier(Some("100"), "1", "0"), tier(None, "1", "0")],
    };
    assert_eq!(field(&overlapping, "1"), "tiers");
    let descending = ChargeModel::Volume {
        tiers: vec![tier(Some("100"), "1", "0"), tier(Some("50"), "1", "0"), tier(None, "1", "0")],
    };
    assert_eq!(field(&descending, "1"), "tiers");
    let closed = ChargeModel::Graduated { tiers: vec![tier(Some("100"), "1", "0")] };
    assert_eq!(field(&closed, "1"), "tiers");
    let open_early = ChargeModel::Graduated { tiers: vec![tier(None, "1", "0"), tier(None, "1", "0")] };
    assert_eq!(field(&open_early, "1"), "tiers");
    assert_eq!(field(&ChargeModel::Graduated { tiers: vec![] }, "1"), "tiers");
    let empty_package = ChargeModel::Package { size: d("0"), price: d("1"), free_units: d("0") };
    assert_eq!(field(&empty_package, "1"), "size");
    let huge = ChargeModel::PerUnit { unit_price: Decimal::MAX };
    assert_eq!(field(&huge, "10"), "quantity");
}
