//! JSON-RPC framing over a byte stream (`Content-Length` headers, then the body), written to
//! survive a misbehaving client: a bad header, a body that is not JSON or a message that is not
//! JSON-RPC is reported and skipped, and reading goes on with the next frame. (`lsp-server`'s
//! own stdio reader stops at the first bad frame, which would leave the editor without a server.)

use std::io::{self, BufRead, Read, Write};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, RequestId};

/// The header that starts every frame, lower-cased.
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// Bodies larger than this are skipped as malformed rather than held in memory.
const MAX_BODY: usize = 512 * 1024 * 1024;

/// What the reader passes to the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that could not be used. The server answers with an error response when the
    /// frame had a body (JSON-RPC says: id `null` when the id could not be read).
    Malformed {
        id: Option<RequestId>,
        code: ErrorCode,
        message: String,
        /// Whether an error response is due (a body was read).
        respond: bool,
    },
}

/// What the server writes.
#[derive(Debug)]
pub enum Outgoing {
    Message(Message),
    /// An error response whose id is `null` (the request's id could not be read).
    ErrorWithoutId {
        code: ErrorCode,
        message: String,
    },
}

impl From<Message> for Outgoing {
    fn from(message: Message) -> Self {
        Outgoing::Message(message)
    }
}

/// Reads frames until the end of input, sending each to `sender`. Returns when the input ends
/// or the receiver is gone.
pub fn read_loop(mut input: impl BufRead, sender: &Sender<Incoming>) -> io::Result<()> {
    // Set when skipping a bad frame consumed the next frame's `Content-Length:`.
    let mut resumed = false;
    loop {
        let incoming = match read_frame(&mut input, &mut resumed)? {
            Frame::End => return Ok(()),
            Frame::BadHeader(message) => Incoming::Malformed {
                id: None,
                code: ErrorCode::ParseError,
                message,
                respond: false,
            },
            Frame::Body(body) => decode(&body),
        };
        if sender.send(incoming).is_err() {
            return Ok(());
        }
    }
}

/// Writes messages until the channel closes.
pub fn write_loop(mut output: impl Write, receiver: &Receiver<Outgoing>) -> io::Result<()> {
    for outgoing in receiver {
        match outgoing {
            Outgoing::Message(message) => message.write(&mut output)?,
            Outgoing::ErrorWithoutId { code, message } => {
                let body = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": { "code": code as i32, "message": message },
                })
                .to_string();
                write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
                output.flush()?;
            }
        }
    }
    Ok(())
}

enum Frame {
    Body(Vec<u8>),
    BadHeader(String),
    End,
}

fn read_frame(input: &mut impl BufRead, resumed: &mut bool) -> io::Result<Frame> {
    let mut content_length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut in_header = false;
    let mut line = Vec::new();
    // When skipping a bad frame consumed this header's name, its value is what follows.
    let mut consumed: &[u8] = if std::mem::take(resumed) {
        in_header = true;
        CONTENT_LENGTH
    } else {
        b""
    };
    loop {
        line.clear();
        line.extend_from_slice(std::mem::take(&mut consumed));
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(if in_header {
                Frame::BadHeader("input ended inside a message header".to_string())
            } else {
                Frame::End
            });
        }
        let text = trim_line_end(&line);
        if text.is_empty() {
            if in_header {
                break;
            }
            // Stray blank lines between messages are harmless.
            continue;
        }
        in_header = true;
        let header = String::from_utf8_lossy(text);
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(length) => content_length = Some(length),
                    Err(_) => {
                        problem.get_or_insert_with(|| {
                            format!("malformed Content-Length header: {:?}", header.trim())
                        });
                    }
                }
            }
            // Content-Type (and anything a client adds) needs no handling: bodies are UTF-8 JSON.
            Some((name, _)) if is_token(name) => {}
            _ => {
                problem.get_or_insert_with(|| {
                    format!("malformed header line: {:?}", truncate(&header))
                });
            }
        }
    }
    // A valid length wins over junk lines around it: the body can still be read.
    match (problem, content_length) {
        (_, Some(length)) if length <= MAX_BODY => {
            let mut body = vec![0; length];
            match input.read_exact(&mut body) {
                Ok(()) => Ok(Frame::Body(body)),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Frame::BadHeader(
                    format!("input ended inside a message body ({length} bytes announced)"),
                )),
                Err(e) => Err(e),
            }
        }
        (_, Some(length)) => {
            io::copy(&mut input.take(length as u64), &mut io::sink())?;
            Ok(Frame::BadHeader(format!(
                "message of {length} bytes skipped: larger than {MAX_BODY} bytes"
            )))
        }
        (problem, _) => {
            let message = problem.unwrap_or_else(|| "message header without Content-Length".into());
            *resumed = resynchronise(input)?;
            Ok(Frame::BadHeader(message))
        }
    }
}

/// After a header that cannot be trusted, the length of what follows is unknown: skip to the
/// next `Content-Length:` (case-insensitive) and consume it. Returns whether one was found: the
/// next frame then starts inside that header, at its value.
fn resynchronise(input: &mut impl BufRead) -> io::Result<bool> {
    // No proper prefix of the needle recurs inside it (`c` occurs once), so on a mismatch the
    // match restarts at the current byte. Matching byte by byte across buffer refills finds a
    // needle that straddles two reads.
    let mut matched = 0;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(false);
        }
        let mut used = 0;
        let mut found = false;
        for &byte in buffer {
            used += 1;
            let byte = byte.to_ascii_lowercase();
            matched = if byte == CONTENT_LENGTH[matched] {
                matched + 1
            } else {
                usize::from(byte == CONTENT_LENGTH[0])
            };
            if matched == CONTENT_LENGTH.len() {
                found = true;
                break;
            }
        }
        input.consume(used);
        if found {
            return Ok(true);
        }
    }
}

fn decode(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed {
                id: None,
                code: ErrorCode::ParseError,
                message: format!("message body is not JSON: {error}"),
                respond: true,
            }
        }
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    let shaped = value.is_object()
        && (value
            .get("method")
            .is_some_and(serde_json::Value::is_string)
            || value.get("result").is_some()
            || value.get("error").is_some());
    match shaped.then(|| serde_json::from_value::<Message>(value)) {
        Some(Ok(message)) => Incoming::Message(message),
        _ => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            message: "not a JSON-RPC request, response or notification".to_string(),
            respond: true,
        },
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_!#$%&'*+.^`|~".contains(&b))
}

fn truncate(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Incoming> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        read_loop(input, &sender).unwrap();
        drop(sender);
        receiver.into_iter().collect()
    }

    /// The same, read through a small buffer: the parts of a frame straddle buffer ends.
    fn frames_in_chunks(input: &[u8], capacity: usize) -> Vec<Incoming> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        read_loop(std::io::BufReader::with_capacity(capacity, input), &sender).unwrap();
        drop(sender);
        receiver.into_iter().collect()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    fn is_ping(incoming: &Incoming) -> bool {
        matches!(incoming, Incoming::Message(Message::Request(r)) if r.method == "ping")
    }

    #[test]
    fn well_formed_frames_with_content_type_and_bare_newlines() {
        let input = format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{PING}Content-Length: {}\n\n{PING}",
            PING.len(),
            PING.len()
        );
        let got = frames(input.as_bytes());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(is_ping));
    }

    #[test]
    fn a_body_that_is_not_json_is_a_parse_error_and_reading_goes_on() {
        let input = format!("{}{}", frame("{not json"), frame(PING));
        let got = frames(input.as_bytes());
        assert!(matches!(
            &got[0],
            Incoming::Malformed {
                code: ErrorCode::ParseError,
                respond: true,
                id: None,
                ..
            }
        ));
        assert!(is_ping(&got[1]), "{got:?}");
    }

    #[test]
    fn json_that_is_not_json_rpc_is_an_invalid_request_with_its_id() {
        let input = format!(
            "{}{}{}",
            frame(r#"{"id":7,"params":1}"#),
            frame("[1,2]"),
            frame(PING)
        );
        let got = frames(input.as_bytes());
        assert!(matches!(
            &got[0],
            Incoming::Malformed { code: ErrorCode::InvalidRequest, id: Some(id), .. } if *id == RequestId::from(7)
        ));
        assert!(matches!(
            &got[1],
            Incoming::Malformed {
                code: ErrorCode::InvalidRequest,
                id: None,
                ..
            }
        ));
        assert!(is_ping(&got[2]), "{got:?}");
    }

    #[test]
    fn bad_headers_are_skipped_up_to_the_next_message() {
        let cases = [
            format!("Content-Length: twelve\r\n\r\n{PING}{}", frame(PING)),
            format!("garbage without colon\r\n\r\n{PING}\r\n{}", frame(PING)),
            format!("Content-Type: text/plain\r\n\r\n{PING}{}", frame(PING)),
        ];
        for input in cases {
            for capacity in 1..=20 {
                let got = frames_in_chunks(input.as_bytes(), capacity);
                assert_eq!(got.len(), 2, "{input:?} through {capacity} bytes: {got:?}");
                assert!(
                    is_ping(&got[1]),
                    "{input:?} through {capacity} bytes: {got:?}"
                );
            }
            let got = frames(input.as_bytes());
            assert!(
                matches!(&got[0], Incoming::Malformed { respond: false, .. }),
                "{input:?}: {got:?}"
            );
            assert_eq!(got.len(), 2, "{input:?}: {got:?}");
            assert!(is_ping(&got[1]), "{input:?}: {got:?}");
        }
    }

    #[test]
    fn junk_header_lines_beside_a_valid_length_are_ignored() {
        let input = format!("\u{0}\u{1}binary\r\n{}", frame(PING));
        let got = frames(input.as_bytes());
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(is_ping(&got[0]));
    }

    #[test]
    fn truncated_input_ends_cleanly() {
        let got = frames(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
        assert_eq!(got.len(), 1);
        assert!(matches!(
            &got[0],
            Incoming::Malformed { respond: false, .. }
        ));
        assert!(frames(b"Content-Length: 5\r\n").len() == 1);
        assert!(frames(b"").is_empty());
    }

    #[test]
    fn error_without_id_is_written_with_a_null_id() {
        let (sender, receiver) = crossbeam_channel::unbounded();
        sender
            .send(Outgoing::ErrorWithoutId {
                code: ErrorCode::ParseError,
                message: "bad".into(),
            })
            .unwrap();
        drop(sender);
        let mut out = Vec::new();
        write_loop(&mut out, &receiver).unwrap();
        let text = String::from_utf8(out).unwrap();
        let (header, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(value["id"], serde_json::Value::Null);
        assert_eq!(value["error"]["code"], -32700);
    }
}
