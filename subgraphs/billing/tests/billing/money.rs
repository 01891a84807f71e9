//! Money in currencies of 0, 2 and 3 decimals: minor units, rounding half
//! away from zero, and codes that cannot be charged in.

use rust_decimal::Decimal;
use subgraph_billing::domain::{
    charges::{ChargeModel, Tier},
    money::Currency,
};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn amounts_become_minor_units_at_each_currencys_exponent() {
    let (eur, jpy, bhd) = (
        Currency::parse("currency", "EUR").expect("EUR"),
        Currency::parse("currency", "JPY").expect("JPY"),
        Currency::parse("currency", "BHD").expect("BHD"),
    );
    assert_eq!((eur.exponent(), jpy.exponent(), bhd.exponent()), (2, 0, 3));
    for (cur, amount, minor) in [
        (eur, "12.025", 1203),
        (eur, "12.024", 1202),
        (eur, "-12.025", -1203),
        (eur, "0.005", 1),
        (jpy, "1234.5", 1235),
        (jpy, "1234.49", 1234),
        (bhd, "12.0255", 12026),
        (bhd, "0.0004", 0),
    ] {
        assert_eq!(cur.to_minor(d(amount)).expect("minor"), minor, "{amount} {}", cur.code());
    }
    assert_eq!(eur.from_minor(1203), d("12.03"));
    assert_eq!(bhd.from_minor(12026), d("12.026"));
    assert_eq!(jpy.from_minor(1235), d("1235"));
}

#[test]
fn a_graduated_month_rounds_once_per_line_in_each_currency() {
    // 1,234 units: 100 × 0.10 + 2.00 fee, 900 × 0.05, 234 × 0.01 = 59.34 exactly;
    // at 0.0333 per unit the same tiers' first tier gives 3.33 + 2.00.
    let tiers = vec![
        Tier { up_to: Some(d("100")), unit_price: d("0.0333"), flat_fee: d("2.00") },
        Tier { up_to: Some(d("1000")), unit_price: d("0.05"), flat_fee: d("0") },
        Tier { up_to: None, unit_price: d("0.01"), flat_fee: d("0") },
    ];
    let priced = ChargeModel::Graduated { tiers }.price(d("1234")).expect("priced");
    // 3.33 + 2.00 + 45.00 + 2.34
    assert_eq!(priced.amount, d("52.67"));
    for (code, minor) in [("EUR", 5267), ("JPY", 53), ("BHD", 52670)] {
        let cur = Currency::parse("currency", code).expect("currency");
        assert_eq!(cur.to_minor(priced.amount).expect("minor"), minor, "{code}");
    }
}

#[test]
fn unknown_codes_and_units_without_minor_units_are_refused() {
    for code in ["EURO", "eur", "XXX", "XAU", ""] {
        assert!(Currency::parse("currency", code).is_err(), "{code:?}");
    }
}
