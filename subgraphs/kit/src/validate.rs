//! Input rules shared by every subgraph.

use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Longest name accepted anywhere.
pub const MAX_NAME: usize = 200;

/// A display name: trimmed, 1..=200 characters, no control characters.
pub fn name(field: &str, value: &str) -> ApiResult<String> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len == 0 {
        return Err(ApiError::bad_input(field, format!("{field} must not be empty")));
    }
    if len > MAX_NAME {
        return Err(ApiError::bad_input(field, format!("{field} is longer than {MAX_NAME} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ApiError::bad_input(field, format!("{field} contains control characters")));
    }
    Ok(trimmed.to_owned())
}

/// An email address, lower-cased; a shape check, not a deliverability check.
pub fn email(field: &str, value: &str) -> ApiResult<String> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    if ok { Ok(v) } else { Err(ApiError::bad_input(field, format!("{field} is not an email address"))) }
}

/// A UUID given as a GraphQL `ID`.
pub fn id(field: &str, value: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(value).map_err(|_| ApiError::bad_input(field, format!("{field} is not a valid id")))
}

/// A non-negative count with an upper bound.
pub fn bounded(field: &str, value: i64, max: i64) -> ApiResult<i64> {
    if (0..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_input(field, format!("{field} must be between 0 and {max}")))
    }
}

/// A `LIKE` pattern that finds `term` anywhere in a column, with `%`, `_`
/// and `\` in the term matched literally (escaped with `\`). Callers
/// lower-case both sides where case must not matter (Postgres' `LIKE` is
/// case-sensitive, SQLite's is not for ASCII).
pub fn contains_pattern(term: &str) -> sea_orm::sea_query::LikeExpr {
    let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Clinic  ").expect("ok"), "Clinic");
        assert!(name("name", "   ").is_err());
        assert!(name("name", &"x".repeat(201)).is_err());
        assert!(name("name", "a\u{0}b").is_err());
    }

    #[test]
    fn emails_are_shape_checked() {
        assert_eq!(email("email", " A@Example.org ").expect("ok"), "a@example.org");
        for bad in ["", "a", "a@b", "@b.org", "a b@c.org", "a@.org"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }
}
