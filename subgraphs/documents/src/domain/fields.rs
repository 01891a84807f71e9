//! A template's typed fields and the checking of the data a document is
//! generated from: every value is checked against its field before it
//! reaches the renderer, and turned into the text that prints.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subgraph_kit::{ApiError, ApiResult};

use super::invalid;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of the field's options.
    Choice,
    /// Ticked or not; a required checkbox must be ticked.
    Checkbox,
    /// A signature, given when signing.
    Signature,
    /// Initials, given when signing.
    Initials,
}

impl FieldKind {
    /// Whether the field is filled by a signer rather than by the data.
    pub fn is_signed(self) -> bool {
        matches!(self, Self::Signature | Self::Initials)
    }
}

/// One field of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// How the markup names it: `field("key")`, `signature("key")`.
    pub key: String,
    /// What a person filling it sees.
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether a document cannot be generated (or, for signature fields,
    /// completed) without it.
    pub required: bool,
    /// Text: the most characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Number: the smallest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Number: the largest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Choice: the allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// For a signature field: the signing role's name that fills it
    /// (`patient`, `clinician`); any signer when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_role: Option<String>,
}

/// The most fields one template may declare.
pub const MAX_FIELDS: usize = 200;
/// The longest text value when a field sets no `max_length`.
pub const DEFAULT_MAX_TEXT: u32 = 4_000;

/// Checks a template's field list: keys are identifiers, unique, and
/// each field's settings fit its kind.
pub fn check_definitions(fields: &[Field]) -> ApiResult<()> {
    if fields.len() > MAX_FIELDS {
        return Err(invalid("TOO_MANY_FIELDS", format!("a template declares at most {MAX_FIELDS} fields")));
    }
    let mut seen = std::collections::HashSet::new();
    for f in fields {
        let key_ok = f.key.len() <= 64
            && f.key.starts_with(|c: char| c.is_ascii_lowercase())
            && f.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(invalid(
                "INVALID_FIELD",
                format!("field key `{}`: lowercase letters, digits and `_`, starting with a letter", f.key),
            ));
        }
        if !seen.insert(f.key.as_str()) {
            return Err(invalid("INVALID_FIELD", format!("field `{}` is declared twice", f.key)));
        }
        if f.label.trim().is_empty() || f.label.chars().count() > 200 {
            return Err(invalid(
                "INVALID_FIELD",
                format!("field `{}`: a label of 1 to 200 characters", f.key),
            ));
        }
        if (f.kind == FieldKind::Choice) == f.options.is_empty() {
            return Err(invalid(
                "INVALID_FIELD",
                format!("field `{}`: options are for choice fields, which need some", f.key),
            ));
        }
        if f.max_length.is_some() && f.kind != FieldKind::Text {
            return Err(invalid("INVALID_FIELD", format!("field `{}`: maxLength is for text fields", f.key)));
        }
        if (f.min.is_some() || f.max.is_some()) && f.kind != FieldKind::Number {
            return Err(invalid(
                "INVALID_FIELD",
                format!("field `{}`: min and max are for number fields", f.key),
            ));
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && min > max
        {
            return Err(invalid("INVALID_FIELD", format!("field `{}`: min is above max", f.key)));
        }
        if f.signer_role.is_some() && !f.kind.is_signed() {
            return Err(invalid(
                "INVALID_FIELD",
                format!("field `{}`: signerRole is for signature fields", f.key),
            ));
        }
    }
    Ok(())
}

/// The checked data of a document: each field's value as given and as it
/// prints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filled {
    /// Values as given (numbers, booleans, strings), by key.
    pub raw: Map<String, Value>,
    /// Printed text, by key.
    pub printed: Map<String, Value>,
}

/// Checks `data` (a JSON object of values by key) against `fields`.
/// Signature and initials fields are not data: signers fill them.
pub fn fill(fields: &[Field], data: &Value) -> ApiResult<Filled> {
    let Value::Object(given) = data else {
        return Err(invalid("WRONG_TYPE", "data must be a JSON object of values by field key"));
    };
    for key in given.keys() {
        match fields.iter().find(|f| &f.key == key) {
            None => return Err(invalid("UNKNOWN_FIELD", format!("the template has no field `{key}`"))),
            Some(f) if f.kind.is_signed() => {
                return Err(invalid(
                    "SIGNED_FIELD",
                    format!("field `{key}` is filled by signing, not by data"),
                ));
            }
            Some(_) => {}
        }
    }
    let mut filled = Filled::default();
    for f in fields.iter().filter(|f| !f.kind.is_signed()) {
        match given.get(&f.key).filter(|v| !v.is_null()) {
            None if f.required => {
                return Err(invalid("MISSING_FIELD", format!("field `{}` ({}) is required", f.key, f.label)));
            }
            None => {
                filled.printed.insert(f.key.clone(), Value::Null);
            }
            Some(v) => {
                let printed = check(f, v)?;
                if f.kind == FieldKind::Checkbox && f.required && v != &Value::Bool(true) {
                    return Err(invalid(
                        "MISSING_FIELD",
                        format!("field `{}` ({}) must be ticked", f.key, f.label),
                    ));
                }
                filled.raw.insert(f.key.clone(), v.clone());
                filled.printed.insert(f.key.clone(), Value::String(printed));
            }
        }
    }
    Ok(filled)
}

/// Checks one value and returns its printed text.
fn check(f: &Field, v: &Value) -> ApiResult<String> {
    let wrong = |expected: &str| invalid("WRONG_TYPE", format!("field `{}` takes {expected}", f.key));
    match f.kind {
        FieldKind::Text => {
            let s = v.as_str().ok_or_else(|| wrong("text"))?;
            let max = f.max_length.unwrap_or(DEFAULT_MAX_TEXT);
            if s.chars().count() > max as usize {
                return Err(invalid("TOO_LONG", format!("field `{}` takes at most {max} characters", f.key)));
            }
            Ok(s.to_owned())
        }
        FieldKind::Number => {
            let n = v.as_f64().filter(|n| n.is_finite()).ok_or_else(|| wrong("a number"))?;
            if f.min.is_some_and(|min| n < min) || f.max.is_some_and(|max| n > max) {
                let range = format!("{} to {}", bound(f.min), bound(f.max));
                return Err(invalid("OUT_OF_RANGE", format!("field `{}` takes {range}", f.key)));
            }
            Ok(v.to_string())
        }
        FieldKind::Date => {
            let s = v.as_str().ok_or_else(|| wrong("a date, YYYY-MM-DD"))?;
            let d =
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| wrong("a date, YYYY-MM-DD"))?;
            Ok(d.format("%Y-%m-%d").to_string())
        }
        FieldKind::Choice => {
            let s = v.as_str().ok_or_else(|| wrong("one of its options"))?;
            if !f.options.iter().any(|o| o == s) {
                return Err(invalid(
                    "NOT_AN_OPTION",
                    format!("field `{}` takes one of: {}", f.key, f.options.join(", ")),
                ));
            }
            Ok(s.to_owned())
        }
        FieldKind::Checkbox => {
            Ok(if v.as_bool().ok_or_else(|| wrong("true or false"))? { "Yes" } else { "No" }.into())
        }
        FieldKind::Signature | FieldKind::Initials => {
            Err(ApiError::Internal("signature fields are not checked as data".into()))
        }
    }
}

fn bound(b: Option<f64>) -> String {
    b.map_or_else(|| "any".into(), |b| b.to_string())
}

/// A sample value for each data field, to try a template when it is saved.
pub fn sample(fields: &[Field]) -> Value {
    let values = fields.iter().filter(|f| !f.kind.is_signed()).map(|f| {
        let v = match f.kind {
            FieldKind::Text => Value::String(f.label.clone()),
            FieldKind::Number => serde_json::json!(f.min.or(f.max).unwrap_or(1.0)),
            FieldKind::Date => Value::String("2026-01-31".into()),
            FieldKind::Choice => Value::String(f.options.first().cloned().unwrap_or_default()),
            FieldKind::Checkbox => Value::Bool(true),
            FieldKind::Signature | FieldKind::Initials => Value::Null,
        };
        (f.key.clone(), v)
    });
    Value::Object(values.collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(key: &str, kind: FieldKind, required: bool) -> Field {
        Field {
            key: key.into(),
            label: key.into(),
            kind,
            required,
            max_length: None,
            min: None,
            max: None,
            options: if kind == FieldKind::Choice { vec!["a".into(), "b".into()] } else { vec![] },
            signer_role: None,
        }
    }

    fn reason(e: ApiError) -> &'static str {
        match e {
            ApiError::Because { reason, .. } => reason,
            other => panic!("not a coded reason: {other:?}"),
        }
    }

    #[test]
    fn each_kind_is_checked_and_printed() {
        let fields = [
            field("t", FieldKind::Text, true),
            field("n", FieldKind::Number, true),
            field("d", FieldKind::Date, true),
            field("c", FieldKind::Choice, true),
            field("x", FieldKind::Checkbox, false),
            field("s", FieldKind::Signature, true),
        ];
        let filled = fill(&fields, &json!({"t": "hi", "n": 2.5, "d": "2026-02-03", "c": "b", "x": false}))
            .expect("test value");
        assert_eq!(
            filled.printed,
            json!({"t": "hi", "n": "2.5", "d": "2026-02-03", "c": "b", "x": "No"})
                .as_object()
                .expect("test value")
                .clone()
        );
        assert_eq!(filled.raw["n"], json!(2.5));

        for (data, expected) in [
            (json!({"n": 1, "d": "2026-02-03", "c": "a"}), "MISSING_FIELD"),
            (json!({"t": 5, "n": 1, "d": "2026-02-03", "c": "a"}), "WRONG_TYPE"),
            (json!({"t": "x", "n": "1", "d": "2026-02-03", "c": "a"}), "WRONG_TYPE"),
            (json!({"t": "x", "n": 1, "d": "03/02/2026", "c": "a"}), "WRONG_TYPE"),
            (json!({"t": "x", "n": 1, "d": "2026-02-03", "c": "z"}), "NOT_AN_OPTION"),
            (json!({"t": "x", "n": 1, "d": "2026-02-03", "c": "a", "zz": 1}), "UNKNOWN_FIELD"),
            (json!({"t": "x", "n": 1, "d": "2026-02-03", "c": "a", "s": "me"}), "SIGNED_FIELD"),
        ] {
            assert_eq!(reason(fill(&fields, &data).expect_err("refused")), expected, "{data}");
        }
    }

    #[test]
    fn limits_and_required_checkboxes() {
        let mut n = field("n", FieldKind::Number, true);
        n.min = Some(0.0);
        n.max = Some(10.0);
        let mut t = field("t", FieldKind::Text, false);
        t.max_length = Some(3);
        let agree = field("agree", FieldKind::Checkbox, true);
        let fields = [n, t, agree];
        assert_eq!(
            reason(fill(&fields, &json!({"n": 11, "agree": true})).expect_err("refused")),
            "OUT_OF_RANGE"
        );
        assert_eq!(
            reason(fill(&fields, &json!({"n": 1, "t": "abcd", "agree": true})).expect_err("refused")),
            "TOO_LONG"
        );
        assert_eq!(
            reason(fill(&fields, &json!({"n": 1, "agree": false})).expect_err("refused")),
            "MISSING_FIELD"
        );
        assert!(fill(&fields, &json!({"n": 1, "agree": true})).is_ok());
    }

    #[test]
    fn definitions_are_checked() {
        let mut bad_key = field("Bad-Key", FieldKind::Text, false);
        assert_eq!(
            reason(check_definitions(std::slice::from_ref(&bad_key)).expect_err("refused")),
            "INVALID_FIELD"
        );
        bad_key.key = "ok_key".into();
        let twice = [bad_key.clone(), bad_key.clone()];
        assert_eq!(reason(check_definitions(&twice).expect_err("refused")), "INVALID_FIELD");
        let mut choice = field("c", FieldKind::Choice, false);
        choice.options.clear();
        assert_eq!(reason(check_definitions(&[choice]).expect_err("refused")), "INVALID_FIELD");
        assert!(check_definitions(&[bad_key]).is_ok());
    }
}
