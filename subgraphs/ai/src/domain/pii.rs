//! PII detection before anything leaves for the provider: emails, phone
//! numbers, health-card and other ID numbers. A tenant either masks them
//! (each becomes a typed placeholder) or blocks the call.

use std::sync::LazyLock;

use regex::Regex;

/// One kind of personal data and how to find it. Order matters: the more
/// specific patterns run first so a health-card number is not taken for a
/// phone number.
struct Rule {
    label: &'static str,
    pattern: Regex,
}

#[allow(clippy::unwrap_used)] // literal patterns, covered by the tests below
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |label, p: &str| Rule { label, pattern: Regex::new(p).unwrap() };
    vec![
        rule("EMAIL", r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b"),
        // A number with a country code is a phone number whatever its groups.
        rule("PHONE", r"\+\d{1,3}[\s.-]?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b"),
        // Health cards: 10 digits in 4-3-3 groups with an optional version
        // code (e.g. Ontario), or a 3-3-4 NHS-style number.
        rule("HEALTH_CARD", r"(?i)\b\d{4}[- ]?\d{3}[- ]?\d{3}(?:[- ]?[a-z]{2})?\b"),
        rule("HEALTH_CARD", r"\b\d{3} \d{3} \d{4}\b"),
        // National ids: SSN/SIN shapes, and letters followed by long digit runs
        // (passports, licences).
        rule("ID_NUMBER", r"\b\d{3}-\d{2}-\d{4}\b"),
        rule("ID_NUMBER", r"\b\d{3}[- ]\d{3}[- ]\d{3}\b"),
        rule("ID_NUMBER", r"(?i)\b[a-z]{1,3}\d{6,10}\b"),
        rule("PHONE", r"(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b"),
        // Any other long digit run is treated as an identifier.
        rule("ID_NUMBER", r"\b\d{8,}\b"),
    ]
});

/// What was found: how many of each label.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found(pub Vec<(&'static str, usize)>);

impl Found {
    /// Items in all.
    pub fn total(&self) -> usize {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// Labels found, e.g. `EMAIL, PHONE`.
    pub fn labels(&self) -> String {
        self.0.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ")
    }
}

/// `text` with every PII item replaced by `[LABEL]`, and what was replaced.
pub fn mask(text: &str) -> (String, Found) {
    let mut out = text.to_owned();
    let mut found: Vec<(&'static str, usize)> = Vec::new();
    for rule in RULES.iter() {
        let n = rule.pattern.find_iter(&out).count();
        if n == 0 {
            continue;
        }
        out = rule.pattern.replace_all(&out, format!("[{}]", rule.label)).into_owned();
        match found.iter_mut().find(|(l, _)| *l == rule.label) {
            Some((_, c)) => *c += n,
            None => found.push((rule.label, n)),
        }
    }
    (out, Found(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_kind_and_leaves_the_rest() {
        let (out, found) = mask(
            "Mail jane.doe@example.org or call +1 416-555-0199; card 1234-567-890-AB, SSN 123-45-6789, \
             passport X12345678. Take 2 tablets at 10:30.",
        );
        assert!(!out.contains("jane.doe") && !out.contains("555-0199") && !out.contains("1234-567"), "{out}");
        assert!(!out.contains("123-45-6789") && !out.contains("X12345678"), "{out}");
        assert!(out.contains("[EMAIL]") && out.contains("[PHONE]") && out.contains("[HEALTH_CARD]"), "{out}");
        assert!(out.contains("Take 2 tablets at 10:30."), "{out}");
        assert_eq!(found.total(), 5, "{found:?}");
        assert_eq!(mask("nothing personal here").1.total(), 0);
    }
}
