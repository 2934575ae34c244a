//! One file, start to end: read, parse, build semantic, run the rules, apply suppressions and
//! configured severities. The CLI runs it on many files in parallel; the language server on the
//! editor's buffer. It never panics outward and never gives up on the run.

use std::{
    cell::RefCell,
    panic::{catch_unwind, AssertUnwindSafe},
    path::Path,
    sync::Arc,
};

use leaklint_diagnostics::{
    engine_ids, ByteSpan, Diagnostic, FileReport, Label, LineIndex, Severity,
};
use leaklint_rules::Rule;
use oxc_allocator::Allocator;
use oxc_parser::{ParseOptions, Parser, ParserReturn};
use oxc_span::SourceType;

use crate::{config::FileConfig, suppressions::Suppressions};

/// How a file is linted, beyond its configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct LintOptions {
    /// Report `leaklint-disable` comments that suppressed nothing, at this severity.
    pub unused_directives: Option<Severity>,
    /// Files larger than this many bytes are skipped with a note; `None` lints every size.
    pub max_file_size: Option<u64>,
}

/// Arenas up to this size are reused from file to file; larger ones are freed.
const ARENA_KEEP_BYTES: usize = 16 << 20;

thread_local! {
    // One arena per thread, reset between files: parsing allocates a lot, freeing it all at
    // once is what makes it cheap.
    static ALLOCATOR: RefCell<Allocator> = RefCell::new(Allocator::default());
}

/// Reads and lints a file. Unreadable and binary files give a `read-error`; text that is not
/// valid UTF-8 is linted as Node reads it, with replacement characters, and a note says so.
pub fn lint_path(path: &Path, config: &FileConfig, options: LintOptions) -> FileReport {
    // Lets the end-to-end tests delete a file between the walk and the read, every time.
    if debug_hook("LEAKLINT_DEBUG_REMOVE_BEFORE_READ", path) {
        let _ = std::fs::remove_file(path);
    }
    let unread = |diagnostic| FileReport {
        path: path.to_path_buf(),
        source: None,
        line_index: None,
        diagnostics: vec![diagnostic],
    };
    match read_source(path, options.max_file_size) {
        Ok(Read::Source(source, notice)) => {
            lint_with(path, source, config, options, notice.into_iter().collect())
        }
        Ok(Read::TooLarge(size)) => unread(Diagnostic::skipped(format!(
            "not linted: {} is over --max-file-size ({}); raise the limit to lint it",
            human_size(size),
            human_size(options.max_file_size.unwrap_or(0)),
        ))),
        Err(message) => unread(Diagnostic::tool_error(engine_ids::READ_ERROR, message)),
    }
}

/// Whether the debug-build-only environment variable `var` names the end of `path`: the
/// end-to-end tests use it to make one file of a run misbehave. Always false in release builds.
fn debug_hook(var: &str, path: &Path) -> bool {
    cfg!(debug_assertions)
        && std::env::var(var)
            .is_ok_and(|suffix| !suffix.is_empty() && path.to_string_lossy().ends_with(&suffix))
}

enum Read {
    /// The text, and a note on how it was decoded when it was not valid UTF-8.
    Source(String, Option<Diagnostic>),
    TooLarge(u64),
}

fn read_source(path: &Path, max_size: Option<u64>) -> Result<Read, String> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| format!("cannot read file: {e}");
    // Opening a FIFO waits for a writer, for ever: look before opening.
    let kind = std::fs::metadata(path).map_err(cannot)?.file_type();
    if !kind.is_file() {
        return Err(format!(
            "not a regular file ({}); leaklint reads only regular files",
            special_kind(kind)
        ));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    let limit = max_size.unwrap_or(u64::MAX);
    if size > limit {
        return Ok(Read::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow between the size check and the read: never read past the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Ok(Read::TooLarge(bytes.len() as u64));
    }
    decode(bytes)
}

/// Text from a file's bytes, decoded as Node would run it: UTF-8, or UTF-16 after its byte order
/// mark. What is not valid UTF-8 (a Latin-1 `©` in a vendored file's comment) becomes U+FFFD, as
/// Node reads it, and a note points at the first such byte: lines stay where they were, and
/// columns count the replacement characters an editor shows. Binary content is an error.
fn decode(bytes: Vec<u8>) -> Result<Read, String> {
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(unit) = utf16 {
        let units = bytes[2..].chunks(2).map(|pair| match pair {
            [a, b] => unit([*a, *b]),
            _ => 0xFFFD,
        });
        let text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        return Ok(Read::Source(text, None));
    }
    let sample = bytes.len().min(BINARY_SAMPLE);
    if memchr::memchr(0, &bytes[..sample]).is_some() {
        return Err(
            "binary file (contains NUL bytes), not JavaScript or TypeScript source".to_string(),
        );
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok(Read::Source(text, None)),
        Err(error) => error.into_bytes(),
    };
    if invalid_sequences(&bytes[..sample]) * 8 > sample {
        return Err(
            "binary file (mostly not text), not JavaScript or TypeScript source".to_string(),
        );
    }
    let first_invalid = std::str::from_utf8(&bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let invalid = invalid_sequences(&bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    // The valid prefix is the same bytes in the decoded text.
    let at = first_invalid as u32;
    let notice = Diagnostic::notice(
        engine_ids::ENCODING,
        format!(
            "not valid UTF-8 ({} replaced with U+FFFD, the first at byte {first_invalid}); \
             linted as Node reads it",
            if invalid == 1 {
                "1 invalid byte sequence".to_string()
            } else {
                format!("{invalid} invalid byte sequences")
            }
        ),
        Label::new(
            ByteSpan::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8() as u32),
            "not UTF-8",
        ),
    )
    .with_help("save the file as UTF-8 to have the same text in every tool");
    Ok(Read::Source(text, Some(notice)))
}

/// What a file that is not a regular file is, for the message.
fn special_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// How much of a file's start is looked at to tell text from binary content.
const BINARY_SAMPLE: usize = 8192;

/// How many maximal invalid byte sequences `bytes` has (each becomes one U+FFFD).
fn invalid_sequences(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .filter(|c| !c.invalid().is_empty())
        .count()
}

/// `20.0 MiB`, `512 KiB`, `300 bytes`.
fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{:.1} KiB", bytes as f64 / KIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

/// Lints source text as the file at `path` (whose extension decides JS, TS, JSX). The text may
/// be owned in any form: a file read from disk is moved into the report only when it has
/// something to show, and never copied otherwise.
pub fn lint_source<S: AsRef<str> + Into<Arc<str>>>(
    path: &Path,
    source: S,
    config: &FileConfig,
    options: LintOptions,
) -> FileReport {
    lint_with(path, source, config, options, Vec::new())
}

/// [`lint_source`], with diagnostics about the file that come from before the parse.
fn lint_with<S: AsRef<str> + Into<Arc<str>>>(
    path: &Path,
    source: S,
    config: &FileConfig,
    options: LintOptions,
    earlier: Vec<Diagnostic>,
) -> FileReport {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        ALLOCATOR.with(|allocator| {
            let mut allocator = allocator.borrow_mut();
            let analysed = analyse(path, source.as_ref(), config, options, &allocator);
            // Keep the arena for the next file, unless one large file made it large: holding
            // that much per thread for the rest of the run is what peak memory is made of.
            if allocator.capacity() > ARENA_KEEP_BYTES {
                *allocator = Allocator::default();
            } else {
                allocator.reset();
            }
            analysed
        })
    }));
    let (mut diagnostics, line_index) = match outcome {
        Ok(analysed) => analysed,
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let diagnostics = vec![Diagnostic::tool_error(
                engine_ids::INTERNAL_ERROR,
                format!("leaklint failed on this file ({reason}); please report it with the file"),
            )];
            (diagnostics, None)
        }
    };
    diagnostics.extend(earlier);
    diagnostics.sort_by(|a, b| {
        (a.primary.span.start, a.primary.span.end, a.rule).cmp(&(
            b.primary.span.start,
            b.primary.span.end,
            b.rule,
        ))
    });
    let keep_source = !diagnostics.is_empty();
    FileReport {
        path: path.to_path_buf(),
        line_index: keep_source
            .then(|| Arc::new(line_index.unwrap_or_else(|| LineIndex::new(source.as_ref())))),
        source: keep_source.then(|| source.into()),
        diagnostics,
    }
}

fn analyse(
    path: &Path,
    source: &str,
    config: &FileConfig,
    options: LintOptions,
    allocator: &Allocator,
) -> (Vec<Diagnostic>, Option<LineIndex>) {
    // Lets the end-to-end tests prove that a crash in one file does not end the run.
    if debug_hook("LEAKLINT_DEBUG_PANIC_ON", path) {
        panic!("LEAKLINT_DEBUG_PANIC_ON matched");
    }

    // Small files cannot nest deep enough to overflow the stack: they need no estimate.
    let nesting = if source.len() > crate::depth::ALWAYS_SAFE_BYTES {
        crate::depth::estimate(source)
    } else {
        0
    };
    if nesting > crate::depth::MAX_NESTING {
        let message = format!(
            "not linted: it nests about {nesting} levels deep (brackets, or one expression \
             chained that long), beyond the {} leaklint analyses; exclude generated code like this",
            crate::depth::MAX_NESTING
        );
        return (vec![Diagnostic::skipped(message)], None);
    }
    let parsed = match parse(path, source, allocator) {
        Ok(parsed) => parsed,
        Err(errors) => return (errors, None),
    };
    let active: Vec<_> = config
        .rules
        .iter()
        .filter(|active| leaklint_rules::should_run(active.rule.as_ref(), source, &config.settings))
        .collect();
    let rules: Vec<&dyn Rule> = active.iter().map(|a| a.rule.as_ref()).collect();
    let mut found = leaklint_rules::check_program(&parsed.program, &config.settings, &rules);
    for diagnostic in &mut found {
        if let Some(active) = active.iter().find(|a| a.rule.meta().id == diagnostic.rule) {
            if let Some(severity) = active.severity {
                diagnostic.severity = severity;
            }
        }
    }

    let has_directives = source.contains("leaklint-disable");
    if !has_directives {
        return (found, None);
    }
    let index = LineIndex::new(source);
    let comments = parsed
        .program
        .comments
        .iter()
        .map(|c| (ByteSpan::new(c.span.start, c.span.end), c.is_block()));
    let mut suppressions = Suppressions::parse(source, comments, &index);
    found.retain(|diagnostic| !suppressions.suppresses(diagnostic, &index));
    if let Some(severity) = options.unused_directives {
        found.extend(suppressions.unused(severity));
    }
    // The report needs the same index when anything is left to show.
    (found, Some(index))
}

/// Parses with the file's own source type; when that fails for JavaScript, retries as CommonJS
/// (top-level `return`) and then as a sloppy-mode script (`with`, legacy octal), since Node runs
/// `.js` files as either. Only when every reading fails are the first one's errors reported.
fn parse<'a>(
    path: &Path,
    source: &'a str,
    allocator: &'a Allocator,
) -> Result<ParserReturn<'a>, Vec<Diagnostic>> {
    let source_type = SourceType::from_path(path).unwrap_or_default();
    // `.js`, `.mjs` and `.cjs` files hold JSX in React code bases; `<` cannot start any other
    // JavaScript expression, so enabling it costs nothing.
    let source_type = if source_type.is_javascript() {
        source_type.with_jsx(true)
    } else {
        source_type
    };
    let first = parse_as(source, source_type, allocator);
    if first.diagnostics.is_empty() && !first.panicked {
        return Ok(first);
    }
    if source_type.is_javascript() {
        for fallback in [
            source_type.with_commonjs(true),
            source_type.with_script(true),
        ] {
            if fallback == source_type {
                continue;
            }
            let retry = parse_as(source, fallback, allocator);
            if retry.diagnostics.is_empty() && !retry.panicked {
                return Ok(retry);
            }
        }
    }
    let errors = first
        .diagnostics
        .iter()
        .map(|error| {
            let span = error.labels.first().map_or(ByteSpan::default(), |l| {
                ByteSpan::new(l.offset(), l.offset() + l.len())
            });
            let label = error
                .labels
                .first()
                .and_then(|l| l.label())
                .unwrap_or("")
                .to_string();
            let diagnostic =
                Diagnostic::parse_error(error.message.to_string(), Label::new(span, label));
            match &error.help {
                Some(help) => diagnostic.with_help(help.to_string()),
                None => diagnostic,
            }
        })
        .collect::<Vec<_>>();
    if errors.is_empty() {
        // The parser gave up without saying why.
        return Err(vec![Diagnostic::parse_error(
            "the file could not be parsed",
            Label::new(ByteSpan::default(), ""),
        )]);
    }
    Err(errors)
}

fn parse_as<'a>(
    source: &'a str,
    source_type: SourceType,
    allocator: &'a Allocator,
) -> ParserReturn<'a> {
    let options = ParseOptions {
        allow_return_outside_function: source_type.is_commonjs(),
        ..ParseOptions::default()
    };
    Parser::new(allocator, source, source_type)
        .with_options(options)
        .parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leaklint_diagnostics::DiagnosticKind;

    fn lint(path: &str, source: &str) -> Vec<Diagnostic> {
        lint_source(
            Path::new(path),
            source,
            &FileConfig::defaults(),
            LintOptions::default(),
        )
        .diagnostics
    }

    #[test]
    fn commonjs_with_top_level_return_is_linted() {
        let found = lint(
            "a.js",
            "if (module.parent) return;\nsetInterval(tick, 1000);\nprocess.on('SIGTERM', () => server.close());\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "uncleared-interval");
    }

    #[test]
    fn sloppy_script_is_linted() {
        let found = lint("a.js", "with (obj) { x; }\nsetInterval(tick, 1000);\nprocess.on('SIGTERM', () => server.close());\n");
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn jsx_in_js_is_linted() {
        let found = lint("a.js", "const el = <div />;\nsetInterval(tick, 1000);\nprocess.on('SIGTERM', () => server.close());\n");
        assert_eq!(found.len(), 1, "{found:?}");
        for path in ["a.js", "a.mjs", "a.cjs"] {
            let found = lint(
                path,
                "const A = () => {\n  return (\n    <Wrapper>\n      <Bar small />\n    </Wrapper>\n  );\n};\nexport default A;\nsetInterval(tick, 1000);\nprocess.on('SIGTERM', () => server.close());\n",
            );
            assert_eq!(found.len(), 1, "{path}: {found:?}");
            assert_eq!(found[0].rule, "uncleared-interval", "{path}: {found:?}");
        }
    }

    #[test]
    fn syntax_errors_are_parse_errors_with_a_location() {
        let found = lint("a.ts", "const x = ;\n");
        assert!(!found.is_empty());
        assert!(found
            .iter()
            .all(|d| d.rule == engine_ids::PARSE_ERROR && d.kind == DiagnosticKind::ParseError));
        assert_eq!(found[0].primary.span.start, 10);
    }

    #[test]
    fn configured_severity_overrides_the_rules_own() {
        let mut config = FileConfig::defaults();
        for rule in &mut config.rules {
            rule.severity = Some(Severity::Error);
        }
        let found = lint_source(
            Path::new("a.js"),
            "setInterval(f, 1); process.on('SIGTERM', stop);",
            &config,
            LintOptions::default(),
        );
        assert_eq!(found.diagnostics[0].severity, Severity::Error);
    }

    #[test]
    fn suppressed_findings_are_dropped_and_unused_directives_reported() {
        let source = "// leaklint-disable-next-line uncleared-interval -- housekeeping\nsetInterval(f, 1);\n// leaklint-disable-next-line\nconst x = 1;\nprocess.on('SIGTERM', () => server.close());\n";
        let options = LintOptions {
            unused_directives: Some(Severity::Error),
            ..LintOptions::default()
        };
        let found =
            lint_source(Path::new("a.js"), source, &FileConfig::defaults(), options).diagnostics;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, engine_ids::UNUSED_DISABLE_DIRECTIVE);
    }

    #[test]
    fn unreadable_inputs_are_read_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut noise: Vec<u8> = (0..4000u32).map(|i| (i * 151 % 251) as u8 | 0x80).collect();
        noise.extend_from_slice(b"\nconst x = 1;\n");
        let cases: [(&str, &[u8], &str); 2] = [
            (
                "bin.js",
                b"\x7fELF\x00\x00\x01",
                "binary file (contains NUL bytes)",
            ),
            ("noise.js", &noise, "binary file (mostly not text)"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let report = lint_path(&path, &FileConfig::defaults(), LintOptions::default());
            assert_eq!(report.diagnostics.len(), 1);
            assert_eq!(report.diagnostics[0].kind, DiagnosticKind::ToolError);
            assert!(
                report.diagnostics[0].message.contains(expected),
                "{}",
                report.diagnostics[0].message
            );
        }
        let missing = lint_path(
            &dir.path().join("gone.js"),
            &FileConfig::defaults(),
            LintOptions::default(),
        );
        assert!(missing.diagnostics[0]
            .message
            .starts_with("cannot read file"));
    }

    fn read(bytes: &[u8]) -> (String, Option<Diagnostic>) {
        match decode(bytes.to_vec()) {
            Ok(Read::Source(text, notice)) => (text, notice),
            Ok(Read::TooLarge(_)) => unreachable!("decode never measures"),
            Err(message) => panic!("not decoded: {message}"),
        }
    }

    #[test]
    fn latin1_text_is_decoded_with_replacement_characters_and_a_note() {
        let (text, notice) = read(b"// \xa9 Acme\nconst s = 'caf\xe9';\nsetInterval(f, 1);\n");
        assert_eq!(
            text,
            "// \u{FFFD} Acme\nconst s = 'caf\u{FFFD}';\nsetInterval(f, 1);\n"
        );
        let notice = notice.expect("a note");
        assert_eq!(notice.kind, DiagnosticKind::Notice);
        assert_eq!(notice.level(), leaklint_diagnostics::Level::Note);
        assert!(
            notice.message.contains("2 invalid byte sequences")
                && notice.message.contains("byte 3"),
            "{}",
            notice.message
        );
        let span = notice.primary.span;
        assert_eq!(&text[span.start as usize..span.end as usize], "\u{FFFD}");
        // Valid UTF-8 needs no note.
        assert!(read("const s = 'café';".as_bytes()).1.is_none());
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "const s = '😀';\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(read(&le), (text.to_string(), None));
        assert_eq!(read(&be), (text.to_string(), None));
        // A lone surrogate and an odd last byte become replacement characters.
        assert_eq!(
            read(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0, 7]).0,
            "\u{FFFD}a\u{FFFD}"
        );
    }

    #[test]
    fn a_latin1_file_is_linted_and_its_findings_keep_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vendor.js");
        std::fs::write(
            &path,
            b"/* \xa9 2019 Acme */\napp.get('/s', (req, res) => {\n  setInterval(() => res.write('\xe9'), 1000);\n});\n",
        )
        .unwrap();
        let report = lint_path(&path, &FileConfig::defaults(), LintOptions::default());
        let kinds: Vec<_> = report
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (engine_ids::ENCODING, DiagnosticKind::Notice),
                ("uncleared-interval", DiagnosticKind::Finding)
            ]
        );
        assert_eq!(
            report
                .position(report.diagnostics[0].primary.span.start)
                .line,
            1
        );
        let finding = report.position(report.diagnostics[1].primary.span.start);
        assert_eq!((finding.line, finding.column), (3, 3));
    }
}
