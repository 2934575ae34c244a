//! `leaklint lsp`: the Language Server Protocol over stdio, on the same per-file engine as the
//! command line (`leaklint_linter::lint_source`), run on the editor's buffer text.

mod actions;
mod convert;
mod server;
mod transport;

use std::{io, thread};

pub use server::Server;
pub use transport::{read_loop, write_loop, Incoming, Outgoing};

/// Serves on stdin/stdout until the client says `exit` or closes the input. Returns the exit
/// code the specification asks for: 0 after `shutdown` and `exit`, 1 otherwise.
pub fn run_stdio() -> i32 {
    let (incoming, messages) = crossbeam_channel::unbounded();
    let (outgoing, to_write) = crossbeam_channel::unbounded();
    // The reader may stay blocked on stdin after `exit`; the process ends without it.
    thread::Builder::new()
        .name("leaklint-lsp-reader".into())
        .spawn(move || read_loop(io::stdin().lock(), &incoming))
        .expect("reader thread");
    let writer = thread::Builder::new()
        .name("leaklint-lsp-writer".into())
        .spawn(move || write_loop(io::stdout().lock(), &to_write))
        .expect("writer thread");
    let threads = thread::available_parallelism().map_or(2, usize::from);
    let code = Server::new(outgoing, threads).run(&messages);
    // The server is gone, and with it the last sender: the writer flushes and ends.
    let _ = writer.join();
    code
}
