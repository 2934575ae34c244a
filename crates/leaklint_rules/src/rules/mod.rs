//! One file per rule, named after its id.

pub mod uncleared_interval;

use leaklint_diagnostics::ByteSpan;
use oxc_span::Span;

pub(crate) fn byte_span(span: Span) -> ByteSpan {
    ByteSpan::new(span.start, span.end)
}
