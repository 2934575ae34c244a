//! Suppression comments, in ESLint's and oxlint's shape:
//!
//! - `// leaklint-disable-next-line <rule>[, <rule>] -- reason`
//! - `// leaklint-disable-line <rule>`
//! - `/* leaklint-disable <rule> */` for the whole file
//!
//! Without rule ids a directive covers every rule. Text after `--` is the reason.

use leaklint_diagnostics::{
    engine_ids, ByteSpan, Diagnostic, DiagnosticKind, Label, LineIndex, Severity,
};
use leaklint_rules::find_rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    File,
    /// A 0-based line.
    Line(usize),
}

#[derive(Debug)]
struct Directive {
    scope: Scope,
    /// Empty: every rule.
    rules: Vec<String>,
    span: ByteSpan,
    /// Which of `rules` suppressed something (one flag when `rules` is empty).
    used: Vec<bool>,
}

/// The directives of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
}

impl Suppressions {
    /// Reads directives from the file's comments: `(span, is_block)`.
    pub fn parse(
        source: &str,
        comments: impl Iterator<Item = (ByteSpan, bool)>,
        index: &LineIndex,
    ) -> Self {
        let mut directives = Vec::new();
        for (span, is_block) in comments {
            let text = &source[span.start as usize..span.end as usize];
            let content = if is_block {
                text.strip_prefix("/*")
                    .and_then(|t| t.strip_suffix("*/"))
                    .unwrap_or(text)
            } else {
                text.strip_prefix("//").unwrap_or(text)
            };
            let content = content.trim().trim_start_matches('*').trim();
            let Some((keyword, rest)) = split_keyword(content) else {
                continue;
            };
            let scope = match keyword {
                "leaklint-disable" => Scope::File,
                "leaklint-disable-line" => Scope::Line(index.line_of(span.start)),
                "leaklint-disable-next-line" => Scope::Line(index.line_of(span.end) + 1),
                _ => continue,
            };
            let list = rest.split_once("--").map_or(rest, |(list, _reason)| list);
            let rules: Vec<String> = list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let used = vec![false; rules.len().max(1)];
            directives.push(Directive {
                scope,
                rules,
                span,
                used,
            });
        }
        Self { directives }
    }

    /// Whether a finding is suppressed; marks the directive used.
    pub fn suppresses(&mut self, diagnostic: &Diagnostic, index: &LineIndex) -> bool {
        if diagnostic.kind != DiagnosticKind::Finding {
            return false;
        }
        let line = index.line_of(diagnostic.primary.span.start);
        let mut suppressed = false;
        for directive in &mut self.directives {
            if let Scope::Line(l) = directive.scope {
                if l != line {
                    continue;
                }
            }
            if directive.rules.is_empty() {
                directive.used[0] = true;
                suppressed = true;
            } else if let Some(i) = directive.rules.iter().position(|r| r == diagnostic.rule) {
                directive.used[i] = true;
                suppressed = true;
            }
        }
        suppressed
    }

    /// A finding for each directive, or rule named in one, that suppressed nothing.
    pub fn unused(&self, severity: Severity) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        for directive in &self.directives {
            let message = if directive.rules.is_empty() {
                (!directive.used[0]).then(|| {
                    "unused leaklint-disable directive: no problem was reported here".to_string()
                })
            } else {
                let unused: Vec<String> = directive
                    .rules
                    .iter()
                    .zip(&directive.used)
                    .filter(|(_, used)| !**used)
                    .map(|(rule, _)| {
                        if find_rule(rule).is_some() {
                            format!("`{rule}`")
                        } else {
                            format!("`{rule}` (no such rule)")
                        }
                    })
                    .collect();
                (!unused.is_empty()).then(|| {
                    format!(
                        "unused leaklint-disable directive: no {} problem was reported here",
                        unused.join(", ")
                    )
                })
            };
            if let Some(message) = message {
                found.push(
                    Diagnostic::finding(
                        engine_ids::UNUSED_DISABLE_DIRECTIVE,
                        severity,
                        message,
                        Label::new(directive.span, "unused directive"),
                    )
                    .with_help("remove the comment, or the rule ids it no longer needs"),
                );
            }
        }
        found
    }
}

/// `leaklint-disable-next-line a, b -- why` → (`leaklint-disable-next-line`, ` a, b -- why`).
fn split_keyword(content: &str) -> Option<(&str, &str)> {
    if !content.starts_with("leaklint-disable") {
        return None;
    }
    let end = content.find(char::is_whitespace).unwrap_or(content.len());
    Some((&content[..end], &content[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(source: &str, needle: &str) -> Diagnostic {
        let start = source.find(needle).unwrap() as u32;
        Diagnostic::finding(
            "uncleared-interval",
            Severity::Warning,
            "m",
            Label::new(ByteSpan::new(start, start + 1), ""),
        )
    }

    fn comments(source: &str) -> Vec<(ByteSpan, bool)> {
        // Enough of a comment scanner for these tests: `//` to end of line, `/* … */`.
        let mut found = Vec::new();
        let mut i = 0;
        while i < source.len() {
            let rest = &source[i..];
            if rest.starts_with("//") {
                let end = rest.find('\n').unwrap_or(rest.len());
                found.push((ByteSpan::new(i as u32, (i + end) as u32), false));
                i += end;
            } else if rest.starts_with("/*") {
                let end = rest.find("*/").unwrap() + 2;
                found.push((ByteSpan::new(i as u32, (i + end) as u32), true));
                i += end;
            } else {
                i += rest.chars().next().unwrap().len_utf8();
            }
        }
        found
    }

    fn check(source: &str, needle: &str) -> (bool, Vec<Diagnostic>) {
        let index = LineIndex::new(source);
        let mut suppressions = Suppressions::parse(source, comments(source).into_iter(), &index);
        let suppressed = suppressions.suppresses(&finding(source, needle), &index);
        (suppressed, suppressions.unused(Severity::Error))
    }

    #[test]
    fn next_line_with_reason() {
        let src = "// leaklint-disable-next-line uncleared-interval -- cleared by the pool\nX;\nY;";
        assert!(check(src, "X").0);
        assert!(!check(src, "Y").0);
    }

    #[test]
    fn same_line_and_lists() {
        assert!(check("X; // leaklint-disable-line", "X").0);
        assert!(
            check(
                "X; // leaklint-disable-line listener-leak, uncleared-interval",
                "X"
            )
            .0
        );
        assert!(!check("X; // leaklint-disable-line listener-leak", "X").0);
    }

    #[test]
    fn whole_file_block_comment() {
        assert!(check("/* leaklint-disable uncleared-interval */\n\nX;", "X").0);
        assert!(check("/*\n * leaklint-disable\n */\nX;", "X").0);
        assert!(!check("/* leaklint-disable listener-leak */\nX;", "X").0);
    }

    #[test]
    fn unused_directives_name_the_unused_rules() {
        let (_, unused) = check(
            "X; // leaklint-disable-line uncleared-interval, no-such-rule",
            "X",
        );
        assert_eq!(unused.len(), 1);
        assert!(
            unused[0].message.contains("`no-such-rule` (no such rule)"),
            "{}",
            unused[0].message
        );
        assert!(!unused[0].message.contains("`uncleared-interval`"));
        let (_, unused) = check("X;\n// leaklint-disable-next-line\nY;", "X");
        assert_eq!(unused.len(), 1);
    }

    #[test]
    fn lookalikes_are_not_directives() {
        assert!(!check("X; // leaklint-disabled-line", "X").0);
        assert!(!check("X; // see leaklint-disable-line docs", "X").0);
    }
}
