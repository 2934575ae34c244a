//! One file per rule, named after its id.

pub mod listener_leak;
pub mod max_listeners_override;
pub mod request_capture;
pub mod uncleared_interval;

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
