use leaklint_diagnostics::Severity;

use crate::{rules, RuleFactory};

/// Where the project lives; rule documentation links point into it.
pub const INFORMATION_URI: &str = "https://github.com/leaklint/leaklint";

/// What a rule is, independent of any configuration.
pub struct RuleMeta {
    /// Stable kebab-case id; never renamed.
    pub id: &'static str,
    /// PascalCase name, as SARIF's `rule.name` wants it.
    pub name: &'static str,
    /// One line: what it finds.
    pub description: &'static str,
    pub default_severity: Severity,
    /// Severity when the leak repeats per request, if the rule escalates; for documentation.
    pub escalated_severity: Option<Severity>,
    /// The Markdown page `rules/<id>.md`.
    pub docs: &'static str,
    /// SARIF tags (`properties.tags`).
    pub tags: &'static [&'static str],
    /// SARIF precision: `very-high`, `high`, `medium` or `low`.
    pub precision: &'static str,
    /// JSON Schema of the rule's options object (`{}` when it takes none).
    pub options_schema: &'static str,
    pub factory: RuleFactory,
}

impl RuleMeta {
    /// The docs page with its first heading removed: the body, for SARIF's `help` and
    /// `fullDescription`.
    pub fn docs_body(&self) -> &'static str {
        let docs = self.docs.trim_start();
        match docs.strip_prefix("# ") {
            Some(rest) => rest
                .split_once('\n')
                .map_or("", |(_, body)| body)
                .trim_start(),
            None => docs,
        }
    }

    /// The first paragraph of the docs body, as plain text: SARIF's `fullDescription`.
    pub fn full_description(&self) -> String {
        self.docs_body()
            .split("\n\n")
            .find(|p| !p.trim().is_empty() && !p.trim_start().starts_with('#'))
            .unwrap_or(self.description)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

static RULES: &[&RuleMeta] = &[
    &rules::listener_leak::META,
    &rules::max_listeners_override::META,
    &rules::request_capture::META,
    &rules::unbounded_collection::META,
    &rules::uncleared_interval::META,
    &rules::unreleased_connection::META,
];

/// Every rule, in id order.
pub fn all_rules() -> &'static [&'static RuleMeta] {
    RULES
}

pub fn find_rule(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().copied().find(|rule| rule.id == id)
}

/// The web page of a rule's documentation.
pub fn docs_url(id: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/rules/{id}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_kebab_case() {
        let ids: Vec<_> = all_rules().iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for id in ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn docs_pages_have_the_sections_users_rely_on() {
        for rule in all_rules() {
            assert!(
                rule.docs.starts_with(&format!("# {}\n", rule.id)),
                "{} title",
                rule.id
            );
            for section in ["## Why", "## Bad", "## Good", "## How to fix", "## Options"] {
                assert!(rule.docs.contains(section), "{} lacks {section}", rule.id);
            }
            assert!(!rule.full_description().is_empty());
            serde_json::from_str::<serde_json::Value>(rule.options_schema)
                .unwrap_or_else(|e| panic!("{} options schema: {e}", rule.id));
        }
    }
}
