//! One file per rule, named after its id.

pub mod listener_leak;
pub mod max_listeners_override;
pub mod request_capture;
pub mod unbounded_collection;
pub mod uncleared_interval;
pub mod unreleased_connection;

use leaklint_diagnostics::ByteSpan;
use oxc_span::Span;

pub(crate) fn byte_span(span: Span) -> ByteSpan {
    ByteSpan::new(span.start, span.end)
}

/// The part of a span on its first line: a label on a long function marks its head only.
pub(crate) fn first_line(source: &str, span: Span) -> Span {
    let text = &source[span.start as usize..span.end as usize];
    match text.find('\n') {
        Some(end) => Span::new(span.start, span.start + end as u32),
        None => span,
    }
}

/// The 1-based line a node starts on, for messages ("the `return` at line 12").
pub(crate) fn line_of(ctx: &crate::RuleContext<'_, '_>, node: oxc_semantic::NodeId) -> usize {
    use oxc_span::GetSpan;
    let start = ctx.nodes().kind(node).span().start as usize;
    ctx.source_text()[..start].matches('\n').count() + 1
}

/// Text a rule looks for before anything is parsed ([`crate::Rule::should_run`]), with a
/// searcher built once per marker: `memchr`'s, which picks the marker's rarest bytes to scan
/// for, is about a third faster than `str::contains` over the benchmark corpus.
pub(crate) struct Markers(Vec<memchr::memmem::Finder<'static>>);

impl Markers {
    pub(crate) fn new(markers: &[&'static str]) -> Self {
        Self(
            markers
                .iter()
                .map(|marker| memchr::memmem::Finder::new(marker.as_bytes()))
                .collect(),
        )
    }

    /// Whether `text` holds any of the markers.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        self.0
            .iter()
            .any(|finder| finder.find(text.as_bytes()).is_some())
    }
}

/// The options schema of a rule that takes none.
pub(crate) const NO_OPTIONS_SCHEMA: &str =
    "{\n  \"type\": \"object\",\n  \"additionalProperties\": false\n}";

/// For a rule's factory: accept no options, or an empty object.
pub(crate) fn expect_no_options(options: Option<&serde_json::Value>) -> Result<(), String> {
    if let Some(options) = options {
        let object = options.as_object().ok_or("options must be an object")?;
        if let Some(key) = object.keys().next() {
            return Err(format!("unknown option `{key}` (the rule takes none)"));
        }
    }
    Ok(())
}
