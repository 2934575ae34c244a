//! Code actions: suppression comments in the forms `leaklint-disable-next-line` and
//! `leaklint-disable` that the CLI reads (see `leaklint_linter`'s suppressions).

use std::collections::{BTreeSet, HashMap};

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, NumberOrString,
    OptionalVersionedTextDocumentIdentifier, Position, Range, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::convert::Text;

const NEXT_LINE: &str = "leaklint-disable-next-line";

/// The document the actions edit.
pub struct Target<'a> {
    pub uri: &'a Uri,
    pub version: i32,
    pub text: Text<'a>,
    /// Whether the client takes versioned `documentChanges` (else plain `changes`).
    pub document_changes: bool,
}

/// "Disable <rule> for this line" and "Disable <rule> for this file" for each leaklint finding
/// among `diagnostics`, one of each per rule and line.
pub fn disable_actions(
    target: &Target<'_>,
    diagnostics: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    let mut lines_done = BTreeSet::new();
    let mut files_done = BTreeSet::new();
    for diagnostic in diagnostics {
        let Some(rule) = rule_of(diagnostic) else {
            continue;
        };
        let line = diagnostic.range.start.line;
        if lines_done.insert((rule, line)) {
            if let Some(edit) = disable_line_edit(&target.text, line, rule) {
                actions.push(action(
                    target,
                    format!("Disable {rule} for this line"),
                    diagnostic,
                    edit,
                ));
            }
        }
        if files_done.insert(rule) {
            actions.push(action(
                target,
                format!("Disable {rule} for this file"),
                diagnostic,
                disable_file_edit(&target.text, rule),
            ));
        }
    }
    // Line actions first: they are the narrower fix.
    actions.sort_by_key(|a| match a {
        CodeActionOrCommand::CodeAction(a) => !a.title.ends_with("this line"),
        CodeActionOrCommand::Command(_) => true,
    });
    actions
}

/// A rule's finding from leaklint (not a parse error or another tool's diagnostic).
fn rule_of(diagnostic: &Diagnostic) -> Option<&'static str> {
    if diagnostic.source.as_deref() != Some("leaklint") {
        return None;
    }
    let Some(NumberOrString::String(code)) = &diagnostic.code else {
        return None;
    };
    leaklint_rules::find_rule(code).map(|meta| meta.id)
}

fn action(
    target: &Target<'_>,
    title: String,
    diagnostic: &Diagnostic,
    edit: TextEdit,
) -> CodeActionOrCommand {
    let workspace_edit = if target.document_changes {
        WorkspaceEdit {
            document_changes: Some(lsp_types::DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: target.uri.clone(),
                    version: Some(target.version),
                },
                edits: vec![lsp_types::OneOf::Left(edit)],
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(target.uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }
    };
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit),
        ..CodeAction::default()
    })
}

/// Inserts `// leaklint-disable-next-line <rule> -- ` above the line, indented like it; or adds
/// the rule to a `leaklint-disable-next-line` comment already there.
fn disable_line_edit(text: &Text<'_>, line: u32, rule: &str) -> Option<TextEdit> {
    let index = text.index;
    let line = line as usize;
    if line >= index.line_count() {
        return None;
    }
    if line > 0 {
        let above = index.line_text(text.source, line - 1);
        if let Some(insert_at) = rule_list_end(above) {
            let offset = index.line_start(line - 1) + insert_at as u32;
            let at = text.position(offset);
            return Some(TextEdit::new(Range::new(at, at), format!(", {rule}")));
        }
    }
    let current = index.line_text(text.source, line);
    let indent = &current[..current.len() - current.trim_start().len()];
    let at = Position::new(line as u32, 0);
    Some(TextEdit::new(
        Range::new(at, at),
        format!(
            "{indent}// {NEXT_LINE} {rule} -- {}",
            line_break(text.source)
        ),
    ))
}

/// Where a rule id can be appended to a `// leaklint-disable-next-line a, b -- why` line: the
/// byte after `b`. `None` when the line is not such a comment, or names no rules (it already
/// covers every rule).
fn rule_list_end(line: &str) -> Option<usize> {
    let start = line.len() - line.trim_start().len();
    let rest = line[start..].strip_prefix("//")?;
    let keyword_at = start + 2 + (rest.len() - rest.trim_start().len());
    let after_keyword = line[keyword_at..].strip_prefix(NEXT_LINE)?;
    if !after_keyword.is_empty() && !after_keyword.starts_with(char::is_whitespace) {
        return None;
    }
    let list_start = keyword_at + NEXT_LINE.len();
    let list_end = line[list_start..]
        .find("--")
        .map_or(line.len(), |i| list_start + i);
    let list = line[list_start..list_end].trim_end();
    (!list.trim().is_empty()).then_some(list_start + list.len())
}

/// Inserts `/* leaklint-disable <rule> */` as the first line (after a `#!` line).
fn disable_file_edit(text: &Text<'_>, rule: &str) -> TextEdit {
    let line = u32::from(text.source.starts_with("#!") && text.index.line_count() > 1);
    let at = Position::new(line, 0);
    TextEdit::new(
        Range::new(at, at),
        format!("/* leaklint-disable {rule} */{}", line_break(text.source)),
    )
}

/// The document's own line break: the first one in it, else `\n`.
fn line_break(source: &str) -> &'static str {
    match source.find(['\n', '\r']) {
        Some(i) if source[i..].starts_with("\r\n") => "\r\n",
        Some(i) if source[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::Encoding;
    use leaklint_diagnostics::LineIndex;

    fn finding(line: u32, rule: &str) -> Diagnostic {
        Diagnostic {
            range: Range::new(Position::new(line, 2), Position::new(line, 13)),
            code: Some(NumberOrString::String(rule.into())),
            source: Some("leaklint".into()),
            message: "m".into(),
            ..Diagnostic::default()
        }
    }

    fn edits(source: &str, diagnostics: &[Diagnostic]) -> Vec<(String, TextEdit)> {
        let index = LineIndex::new(source);
        let uri: Uri = "file:///a.js".parse().unwrap();
        let target = Target {
            uri: &uri,
            version: 3,
            text: Text {
                source,
                index: &index,
                encoding: Encoding::Utf16,
            },
            document_changes: false,
        };
        disable_actions(&target, diagnostics)
            .into_iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => {
                    let edits = a.edit.unwrap().changes.unwrap().into_values().next();
                    (a.title, edits.unwrap().remove(0))
                }
                CodeActionOrCommand::Command(_) => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn line_action_keeps_indentation_and_line_breaks() {
        let source = "function f() {\r\n    setInterval(g, 1);\r\n}\r\n";
        let got = edits(source, &[finding(1, "uncleared-interval")]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "Disable uncleared-interval for this line");
        assert_eq!(got[0].1.range.start, Position::new(1, 0));
        assert_eq!(
            got[0].1.new_text,
            "    // leaklint-disable-next-line uncleared-interval -- \r\n"
        );
        assert_eq!(got[1].0, "Disable uncleared-interval for this file");
        assert_eq!(got[1].1.range.start, Position::new(0, 0));
        assert_eq!(
            got[1].1.new_text,
            "/* leaklint-disable uncleared-interval */\r\n"
        );
    }

    #[test]
    fn an_existing_directive_above_gets_the_rule_added() {
        let source = "  // leaklint-disable-next-line listener-leak -- shutdown hook\n  setInterval(g, 1);\n";
        let got = edits(source, &[finding(1, "uncleared-interval")]);
        assert_eq!(got[0].1.new_text, ", uncleared-interval");
        let end_of_list = "  // leaklint-disable-next-line listener-leak".len() as u32;
        assert_eq!(got[0].1.range.start, Position::new(0, end_of_list));

        let without_reason = "// leaklint-disable-next-line listener-leak\nsetInterval(g, 1);\n";
        let got = edits(without_reason, &[finding(1, "uncleared-interval")]);
        assert_eq!(got[0].1.range.start, Position::new(0, 43));
    }

    #[test]
    fn file_action_goes_below_a_shebang_and_duplicates_collapse() {
        let source = "#!/usr/bin/env node\nsetInterval(g, 1); setInterval(h, 1);\n";
        let got = edits(
            source,
            &[
                finding(1, "uncleared-interval"),
                finding(1, "uncleared-interval"),
            ],
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1].1.range.start, Position::new(1, 0));
    }

    #[test]
    fn other_sources_and_engine_diagnostics_get_no_action() {
        let mut other = finding(0, "uncleared-interval");
        other.source = Some("eslint".into());
        let parse = finding(0, "parse-error");
        assert!(edits("x\n", &[other, parse]).is_empty());
    }

    #[test]
    fn rule_list_end_reads_only_next_line_directives() {
        assert_eq!(
            rule_list_end("// leaklint-disable-next-line a, b -- why"),
            Some(34)
        );
        assert_eq!(rule_list_end("//leaklint-disable-next-line a"), Some(30));
        assert_eq!(rule_list_end("// leaklint-disable-next-line -- all"), None);
        assert_eq!(rule_list_end("// leaklint-disable-next-liner a"), None);
        assert_eq!(rule_list_end("/* leaklint-disable a */"), None);
        assert_eq!(rule_list_end("const a = 1;"), None);
    }
}
