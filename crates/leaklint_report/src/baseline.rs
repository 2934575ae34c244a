//! Baselines: freeze the findings a code base has today, report only new ones.
//!
//! A finding is matched by rule, file (relative to the baseline file's directory) and the
//! flagged line's text with its whitespace collapsed, not by line number, so that edits above or
//! below it do not bring it back. When one line holds several findings of a rule, the baseline
//! keeps their count and hides that many. The file is sorted JSON, so that it diffs well and
//! shrinks as findings are fixed.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use leaklint_diagnostics::{display_path, Diagnostic, DiagnosticKind, FileReport};
use serde::{Deserialize, Serialize};

use crate::sarif::normalize;

/// The format version written in, and required of, baseline files.
const VERSION: u32 = 1;

type Key = (String, String, String);

/// Findings by (file, rule, line text) and how many of each.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<Key, usize>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BaselineFile {
    leaklint_baseline: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    rule: String,
    /// The flagged line, whitespace collapsed.
    code: String,
    count: usize,
}

/// What applying a baseline did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Findings the baseline hid.
    pub hidden: usize,
    /// Baseline entries (counting each occurrence) for linted files that no longer occur.
    pub gone: usize,
}

/// Where baseline paths are relative to, and where the reports' paths are relative to.
#[derive(Debug, Clone)]
pub struct Places<'a> {
    /// The directory of the baseline file, absolute and normalised.
    base: PathBuf,
    /// The working directory the reports' relative paths start from.
    cwd: &'a Path,
}

impl<'a> Places<'a> {
    /// `base`: the baseline file's directory; `cwd`: the working directory.
    pub fn new(base: &Path, cwd: &'a Path) -> Self {
        Self {
            base: normalize(&cwd.join(base)),
            cwd,
        }
    }

    fn file_key(&self, path: &Path) -> String {
        let absolute = normalize(&self.cwd.join(path));
        match absolute.strip_prefix(&self.base) {
            Ok(relative) => display_path(relative),
            Err(_) => display_path(&absolute),
        }
    }
}

impl Baseline {
    /// The findings of these reports (not parse or tool errors).
    pub fn of(reports: &[FileReport], places: &Places<'_>) -> Self {
        let mut counts = BTreeMap::new();
        for report in reports {
            let file = places.file_key(&report.path);
            for diagnostic in &report.diagnostics {
                if let Some(key) = key(report, &file, diagnostic) {
                    *counts.entry(key).or_insert(0) += 1;
                }
            }
        }
        Self { counts }
    }

    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The baseline file's text: pretty JSON, sorted, with a final newline.
    pub fn to_json(&self) -> String {
        let file = BaselineFile {
            leaklint_baseline: VERSION,
            findings: self
                .counts
                .iter()
                .map(|((file, rule, code), &count)| Entry {
                    file: file.clone(),
                    rule: rule.clone(),
                    code: code.clone(),
                    count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a baseline serialises");
        text.push('\n');
        text
    }

    /// Reads a baseline file's text; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.leaklint_baseline != VERSION {
            return Err(format!(
                "unsupported baseline version {} (this leaklint writes version {VERSION})",
                file.leaklint_baseline
            ));
        }
        let mut counts = BTreeMap::new();
        for entry in file.findings {
            if entry.count == 0 {
                return Err(format!(
                    "`count` must be at least 1 (entry for {} in {})",
                    entry.rule, entry.file
                ));
            }
            *counts
                .entry((entry.file, entry.rule, entry.code))
                .or_insert(0) += entry.count;
        }
        Ok(Self { counts })
    }

    /// Drops the findings the baseline covers. `linted` are the files this run linted: entries
    /// of other files are not counted as gone (a run over part of the tree says nothing of them).
    pub fn apply(
        &self,
        reports: Vec<FileReport>,
        linted: &[PathBuf],
        places: &Places<'_>,
    ) -> (Vec<FileReport>, Applied) {
        let mut left = self.counts.clone();
        let mut hidden = 0;
        let reports = reports
            .into_iter()
            .filter_map(|mut report| {
                let file = places.file_key(&report.path);
                let keep: Vec<bool> = report
                    .diagnostics
                    .iter()
                    .map(|diagnostic| match key(&report, &file, diagnostic) {
                        Some(key) => match left.get_mut(&key) {
                            Some(count) if *count > 0 => {
                                *count -= 1;
                                hidden += 1;
                                false
                            }
                            _ => true,
                        },
                        None => true,
                    })
                    .collect();
                let mut keep = keep.into_iter();
                report.diagnostics.retain(|_| keep.next().unwrap_or(true));
                (!report.diagnostics.is_empty()).then_some(report)
            })
            .collect();
        let linted: BTreeSet<String> = linted.iter().map(|p| places.file_key(p)).collect();
        let gone = left
            .iter()
            .filter(|((file, _, _), _)| linted.contains(file))
            .map(|(_, count)| count)
            .sum();
        (reports, Applied { hidden, gone })
    }
}

/// The baseline key of a finding; `None` for what is never baselined (parse and tool errors).
fn key(report: &FileReport, file: &str, diagnostic: &Diagnostic) -> Option<Key> {
    if diagnostic.kind != DiagnosticKind::Finding {
        return None;
    }
    let code = match (&report.source, &report.line_index) {
        (Some(source), Some(index)) => {
            let line = index.line_of(diagnostic.primary.span.start);
            index
                .line_text(source, line)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => String::new(),
    };
    Some((file.to_string(), diagnostic.rule.to_string(), code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::report_with;

    fn places() -> Places<'static> {
        Places::new(Path::new("/repo"), Path::new("/repo"))
    }

    #[test]
    fn round_trips_through_its_file() {
        let reports = vec![report_with(
            "src/a.js",
            "x;\n  setInterval(f,   1);\n",
            &[(4, 15)],
        )];
        let baseline = Baseline::of(&reports, &places());
        assert_eq!(baseline.len(), 1);
        let text = baseline.to_json();
        assert!(text.contains(r#""code": "setInterval(f, 1);""#), "{text}");
        assert!(text.contains(r#""file": "src/a.js""#), "{text}");
        assert_eq!(Baseline::parse(&text).unwrap(), baseline);
    }

    #[test]
    fn paths_are_relative_to_the_baseline_file() {
        let reports = vec![report_with("src/a.js", "setInterval(f, 1);\n", &[(0, 11)])];
        let nested = Places::new(Path::new("src"), Path::new("/repo"));
        assert!(Baseline::of(&reports, &nested)
            .to_json()
            .contains(r#""file": "a.js""#));
    }

    #[test]
    fn malformed_files_are_errors_that_say_where() {
        for (text, expected) in [
            ("{", "EOF while parsing"),
            (r#"{"leaklintBaseline": 1}"#, "missing field `findings`"),
            (
                r#"{"leaklintBaseline": 2, "findings": []}"#,
                "unsupported baseline version 2",
            ),
            (
                r#"{"leaklintBaseline": 1, "findings": [{"file": "a", "rule": "r", "code": "c"}]}"#,
                "missing field `count`",
            ),
            (
                r#"{"leaklintBaseline": 1, "findings": [], "extra": 1}"#,
                "unknown field `extra`",
            ),
            (
                r#"{"leaklintBaseline": 1, "findings": [{"file": "a", "rule": "r", "code": "c", "count": 0}]}"#,
                "at least 1",
            ),
        ] {
            let error = Baseline::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        assert!(Baseline::parse("{\n  \"x\": 1\n}")
            .unwrap_err()
            .contains("line 2 column"));
    }

    #[test]
    fn hides_as_many_as_recorded_and_counts_what_is_gone() {
        let source = "setInterval(f, 1); setInterval(f, 1);\nsetInterval(g, 1);\n";
        let before = vec![report_with("a.js", source, &[(0, 11), (19, 30), (39, 50)])];
        let baseline = Baseline::of(&before, &places());

        // A line was inserted above; one of the two on the first line no longer reports, the
        // second line's finding was fixed, and a new one came.
        let now = "// moved down\nsetInterval(f, 1); setInterval(f, 1);\nsetInterval(h, 1);\n";
        let after = vec![report_with("a.js", now, &[(14, 25), (52, 63)])];
        let (left, applied) = baseline.apply(after, &[PathBuf::from("a.js")], &places());
        assert_eq!(applied, Applied { hidden: 1, gone: 2 });
        assert_eq!(left[0].diagnostics.len(), 1);
        assert_eq!(left[0].diagnostics[0].primary.span.start, 52);

        // Entries of files this run did not lint are not gone.
        let (_, applied) = baseline.apply(Vec::new(), &[PathBuf::from("b.js")], &places());
        assert_eq!(applied.gone, 0);
    }
}
