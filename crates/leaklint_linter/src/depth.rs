//! How deeply a file nests, estimated from its text before it is parsed.
//!
//! The parser and the semantic builder recurse once per level of nesting, and no stack is large
//! enough for every input a user (or a fuzzer) can write: 100,000 nested parentheses, a
//! million-term `a + a + …` chain, `!!!!…`. Files estimated deeper than [`MAX_NESTING`] are
//! skipped with a note instead of being parsed.
//!
//! The estimate is an upper bound on the depth of the syntax tree for everything except
//! pathological regular expressions: each bracket (`(`, `[`, `{`, `${`) opens a level, and
//! within a level every token since the last `,` or `;` (or the last line break that ends a
//! statement) may nest one deeper than the one before (`a + b + c`, `!!x`, `a.b.c`,
//! `x => y => z`, `if (a) if (b) …`). Real code stays in the low hundreds; the limit leaves room
//! for generated code an order of magnitude beyond that.

/// Files nesting deeper than this are not analysed.
pub const MAX_NESTING: usize = 10_000;

/// Files up to this size need no estimate: every level of nesting takes at least one byte, and
/// no file this small can nest deep enough to exhaust an analysis thread's stack
/// ([`crate::ANALYSIS_STACK_SIZE`]). The deepest nesting per byte is a bracket: on a 256 MB stack,
/// parsing and analysing survive about 138,000 nested `(` or `[` in a release build (1.9 KB of
/// stack per level) and 94,000 in a debug build: about three and two times this size.
pub const ALWAYS_SAFE_BYTES: usize = 48 * 1024;

/// The estimated nesting depth of `source` (see the module documentation).
pub fn estimate(source: &str) -> usize {
    let bytes = source.as_bytes();
    // Per open bracket: the depth reached when it was opened, and whether it is a template's
    // `${`, whose `}` returns to the template text.
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut base = 0usize; // depth at the current bracket level's start
    let mut run = 0usize; // tokens in the current segment of this level
    let mut deepest = 0usize;
    // The previous token could end an expression (an identifier, literal, `)`, `]`, `}`), unless
    // it is a keyword that comes before an expression (read back from where the word ends, and
    // only where it matters: at a `/` and after a line break, not at every word).
    let mut prev_ends_value = false;
    // Where the previous token ends, when it is a word.
    let mut prev_word_end: Option<usize> = None;
    let mut newline_since_prev = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let class = CLASS[b as usize];
        match class {
            SPACE => {
                i += 1;
                while i < bytes.len() && CLASS[bytes[i] as usize] == SPACE {
                    i += 1;
                }
                continue;
            }
            NEWLINE => {
                newline_since_prev = true;
                i += 1;
                continue;
            }
            SLASH if bytes.get(i + 1) == Some(&b'/') => {
                i = skip_line(bytes, i);
                continue;
            }
            SLASH if bytes.get(i + 1) == Some(&b'*') => {
                let end = find_comment_end(bytes, i + 2);
                if memchr::memchr(b'\n', &bytes[i..end]).is_some() {
                    newline_since_prev = true;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        // A line break ends a statement when the next token cannot continue the expression
        // before it (automatic semicolon insertion): start a new segment then.
        if newline_since_prev {
            let continues = matches!(
                b,
                b'.' | b'('
                    | b'['
                    | b'?'
                    | b':'
                    | b'='
                    | b'+'
                    | b'-'
                    | b'*'
                    | b'/'
                    | b'%'
                    | b'&'
                    | b'|'
                    | b'^'
                    | b'<'
                    | b'>'
                    | b','
                    | b'!'
            ) || starts_word(bytes, i, b"instanceof")
                || starts_word(bytes, i, b"in");
            if !continues && prev_ends_value && !is_keyword_before(bytes, prev_word_end) {
                run = 0;
            }
            newline_since_prev = false;
        }

        // Each arm says where the next token starts and whether this one ends a value.
        let mut ends_value = false;
        let mut word_end = None;
        let mut next = i + 1;
        match class {
            // Words and operators with spaces between them, up to anything else: each word and
            // each operator byte is a token one deeper than the one before. The bulk of every
            // line, so the loop only counts, with a table instead of a branch per token (which
            // class follows which is unpredictable); the last token is looked at afterwards.
            WORD | OTHER => {
                next = i;
                let mut previous = SPACE;
                while next < bytes.len() {
                    let class = CLASS[bytes[next] as usize];
                    if class > WORD {
                        break;
                    }
                    run += usize::from(STARTS_TOKEN[usize::from(previous)][usize::from(class)]);
                    previous = class;
                    next += 1;
                }
                let mut end = next;
                while CLASS[bytes[end - 1] as usize] == SPACE {
                    end -= 1;
                }
                if CLASS[bytes[end - 1] as usize] == WORD {
                    word_end = Some(end);
                    ends_value = true;
                }
            }
            OPEN => {
                run += 1;
                stack.push((base, false));
                base += run;
                run = 0;
            }
            CLOSE => {
                ends_value = true;
                if let Some((outer, template)) = stack.pop() {
                    // The bracket's depth stays counted in the outer run.
                    run = base - outer;
                    base = outer;
                    if template {
                        next = skip_template(bytes, i + 1, &mut stack, &mut base, &mut run);
                    }
                }
            }
            SEPARATOR => run = 0,
            QUOTE => {
                next = skip_string(bytes, i);
                run += 1;
                ends_value = true;
            }
            BACKTICK => {
                run += 1;
                next = skip_template(bytes, i + 1, &mut stack, &mut base, &mut run);
                ends_value = true;
            }
            SLASH if !prev_ends_value || is_keyword_before(bytes, prev_word_end) => {
                next = skip_regex(bytes, i);
                run += 1;
                ends_value = true;
            }
            // A `/` that divides.
            _ => run += 1,
        }
        deepest = deepest.max(base + run);
        prev_ends_value = ends_value;
        prev_word_end = word_end;
        i = next;
    }
    deepest
}

// Byte classes for the scan: one table lookup per byte instead of a chain of comparisons.
// The classes a run of tokens is made of come first: `class <= WORD`.
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const WORD: u8 = 2;
const NEWLINE: u8 = 3;
const SLASH: u8 = 4;
const QUOTE: u8 = 5;
const BACKTICK: u8 = 6;
const OPEN: u8 = 7;
const CLOSE: u8 = 8;
const SEPARATOR: u8 = 9;

static CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = match byte {
            b' ' | b'\t' | b'\r' => SPACE,
            b'\n' => NEWLINE,
            b'/' => SLASH,
            b'\'' | b'"' => QUOTE,
            b'`' => BACKTICK,
            b'(' | b'[' | b'{' => OPEN,
            b')' | b']' | b'}' => CLOSE,
            b';' | b',' => SEPARATOR,
            _ if is_word_byte(byte) => WORD,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

/// Whether a byte of class `[previous][class]` starts a token: every operator byte does, a word
/// byte after anything but a word byte does, a space never does.
static STARTS_TOKEN: [[bool; 3]; 3] = [
    // after OTHER: OTHER, SPACE, WORD
    [true, false, true],
    // after SPACE
    [true, false, true],
    // after WORD
    [true, false, false],
];

const fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'\\' || b >= 0x80
}

fn starts_word(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    bytes[i..].starts_with(word) && !bytes.get(i + word.len()).is_some_and(|&b| is_word_byte(b))
}

/// Whether the word ending at `end` (if the previous token is a word) is one of
/// [`is_keyword_before_expression`]'s.
fn is_keyword_before(bytes: &[u8], end: Option<usize>) -> bool {
    let Some(end) = end else {
        return false;
    };
    let mut start = end;
    while start > 0 && CLASS[bytes[start - 1] as usize] == WORD {
        start -= 1;
    }
    is_keyword_before_expression(&bytes[start..end])
}

/// Words after which `/` starts a regular expression and a line break does not end a statement.
fn is_keyword_before_expression(word: &[u8]) -> bool {
    matches!(
        word,
        b"return"
            | b"typeof"
            | b"instanceof"
            | b"in"
            | b"of"
            | b"new"
            | b"delete"
            | b"void"
            | b"throw"
            | b"case"
            | b"do"
            | b"else"
            | b"yield"
            | b"await"
    )
}

/// Past the `*/` that ends a block comment whose text starts at `from`, or the end of the text.
fn find_comment_end(bytes: &[u8], from: usize) -> usize {
    // Searching for the `*` alone: a substring searcher is built for every call, and block
    // comments are short and frequent (doc comments).
    let mut j = from;
    while let Some(star) = memchr::memchr(b'*', bytes.get(j..).unwrap_or_default()) {
        let at = j + star;
        if bytes.get(at + 1) == Some(&b'/') {
            return at + 2;
        }
        j = at + 1;
    }
    bytes.len()
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |p| i + p)
}

/// Past the closing quote of the string starting at `i`.
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while let Some(found) = memchr::memchr3(quote, b'\\', b'\n', &bytes[j.min(bytes.len())..]) {
        let at = j + found;
        match bytes[at] {
            b'\\' => j = at + 2,
            b'\n' => return at,
            _ => return at + 1,
        }
    }
    bytes.len()
}

/// Past the regular expression starting at `i` (classes may hold `/`).
fn skip_regex(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut in_class = false;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' => return j,
            b'[' => {
                in_class = true;
                j += 1;
            }
            b']' => {
                in_class = false;
                j += 1;
            }
            b'/' if !in_class => {
                j += 1;
                while j < bytes.len() && is_word_byte(bytes[j]) {
                    j += 1;
                }
                return j;
            }
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Template text from `i` up to its closing backtick (returning past it) or to a `${`
/// (returning past it, with a template level opened on the stack).
fn skip_template(
    bytes: &[u8],
    i: usize,
    stack: &mut Vec<(usize, bool)>,
    base: &mut usize,
    run: &mut usize,
) -> usize {
    let mut j = i;
    while let Some(found) = memchr::memchr3(b'`', b'\\', b'$', &bytes[j.min(bytes.len())..]) {
        let at = j + found;
        match bytes[at] {
            b'\\' => j = at + 2,
            b'`' => return at + 1,
            _ if bytes.get(at + 1) == Some(&b'{') => {
                *run += 1;
                stack.push((*base, true));
                *base += *run;
                *run = 0;
                return at + 2;
            }
            _ => j = at + 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::estimate;

    #[test]
    fn ordinary_code_is_shallow() {
        let source = "import x from 'y';\nconst a = 1\nconst b = 2\nfunction f(req, res) {\n  \
                      if (a) { return b + 1 }\n  return `t ${a} ${b}`\n}\n";
        assert!(estimate(source) < 15, "{}", estimate(source));
    }

    #[test]
    fn nesting_and_chains_are_counted() {
        let parens = format!("x = {}1{};", "(".repeat(500), ")".repeat(500));
        assert!(estimate(&parens) >= 500);
        let chain = format!("x = 1{};", " + 1".repeat(3000));
        assert!(estimate(&chain) >= 3000);
        let nots = format!("x = {}y;", "!".repeat(2000));
        assert!(estimate(&nots) >= 2000);
        let arrows = format!("f = {}0;", "a => ".repeat(1000));
        assert!(estimate(&arrows) >= 1000);
        // Continuation lines do not start a new statement.
        let member = format!("x{}", "\n  .then(f)".repeat(1000));
        assert!(estimate(&member) >= 1000);
        let template = format!("x = {}1{};", "`${".repeat(300), "}`".repeat(300));
        assert!(estimate(&template) >= 300);
    }

    #[test]
    fn statements_strings_comments_and_regexes_reset_or_hide_nothing() {
        // A long file of short statements, with and without semicolons.
        let asi = "const a = f(1)\n".repeat(50_000);
        assert!(estimate(&asi) < 10, "{}", estimate(&asi));
        let semi = "a = b + c; ".repeat(50_000);
        assert!(estimate(&semi) < 10);
        // Brackets inside strings, comments, templates and regexes are not nesting.
        let hidden =
            "s = '(((('; t = \"[[[\"; // ((((\n/* {{{{ */ r = /\\(+[(]/g; u = `((${1}((`;\n"
                .repeat(1000);
        assert!(estimate(&hidden) < 10, "{}", estimate(&hidden));
        // After a word that ends a value, `/` divides; after `return`, `typeof`, `case`… it
        // starts a regular expression, whose brackets are text.
        let keywords =
            "function f(s) {\n  return /((((((((((/.test(s)\n}\nx = typeof /[[[[/\n".repeat(200);
        assert!(estimate(&keywords) < 20, "{}", estimate(&keywords));
        let not_keywords = keywords
            .replace("return", "retur")
            .replace("typeof", "typeo");
        assert!(
            estimate(&not_keywords) > 1000,
            "{}",
            estimate(&not_keywords)
        );
        let divisions = format!("x = a / b{}", " / (c".repeat(300));
        assert!(estimate(&divisions) >= 300);
    }
}
