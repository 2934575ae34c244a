//! Transparent huge pages for the memory allocator, on Linux with glibc.
//!
//! Linting a tree fills hundreds of megabytes of fresh memory (each file's syntax tree and
//! semantic tables), and the kernel hands it out one 4 KiB page at a time: a fault and a zeroing
//! per page. With the tunable `glibc.malloc.hugetlb=1`, glibc advises transparent huge pages
//! (`madvise(MADV_HUGEPAGE)`) on the memory it maps, which then faults 2 MiB at a time and
//! misses the TLB less when the tree is read back. On the benchmark corpus that halves the page
//! faults and saves about 5% of the CPU time, for about 10 MiB more peak memory (README,
//! Performance).
//!
//! glibc reads its tunables once, from `GLIBC_TUNABLES`, before `main` runs. So a lint run
//! starts itself again with the tunable added, and the new process puts the variable back as the
//! user had it. Where the new process cannot be started (no `/proc`, the binary replaced while
//! it runs), the first one does the work: huge pages change speed, never results. The language
//! server lints one buffer at a time and keeps running, so it is left as it is, and so are the
//! commands that lint nothing. `LEAKLINT_HUGE_PAGES=0` turns it off.

// Only the restart itself is platform-specific; the rest is tested everywhere.
#![cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]

use std::ffi::{OsStr, OsString};

/// The tunable leaklint adds.
const TUNABLE: &str = "glibc.malloc.hugetlb=1";
/// Carries the user's own `GLIBC_TUNABLES` (empty when they had none) into the restarted
/// process; its presence says that the restart happened.
const CARRIED: &str = "LEAKLINT_CALLER_GLIBC_TUNABLES";

/// Restarts the process with huge pages on, once. Called where a lint run starts, once the
/// arguments have been read and before any thread is started, so that the other commands and a
/// usage error never pay for a restart. Returns in the process that is to do the work.
pub fn enable() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    restart();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn restart() {
    use std::{env, os::unix::process::CommandExt, process::Command};

    if let Some(caller) = env::var_os(CARRIED) {
        // The restarted process: the environment goes back to what the user gave.
        if caller.is_empty() {
            env::remove_var("GLIBC_TUNABLES");
        } else {
            env::set_var("GLIBC_TUNABLES", caller);
        }
        env::remove_var(CARRIED);
        // Lets the end-to-end tests see the restart and the environment it leaves.
        if cfg!(debug_assertions) && env::var_os("LEAKLINT_DEBUG_HUGE_PAGES").is_some() {
            let left = env::var("GLIBC_TUNABLES").unwrap_or_else(|_| "unset".to_string());
            eprintln!("leaklint: restarted with {TUNABLE}; GLIBC_TUNABLES {left}");
        }
        return;
    }
    if env::var_os("LEAKLINT_HUGE_PAGES").is_some_and(|v| v == "0") {
        return;
    }
    let caller = env::var_os("GLIBC_TUNABLES").unwrap_or_default();
    let Some(tunables) = with_huge_pages(&caller) else {
        return;
    };
    let Ok(exe) = env::current_exe() else {
        return;
    };
    let mut args = env::args_os();
    let mut command = Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    // `exec` returns only when it fails, and then this process does the work.
    let _ = command
        .args(args)
        .env("GLIBC_TUNABLES", tunables)
        .env(CARRIED, caller)
        .exec();
}

/// The caller's tunables with huge pages added; `None` when they already say how glibc's
/// allocator uses huge pages: that is the user's choice.
fn with_huge_pages(caller: &OsStr) -> Option<OsString> {
    let caller_text = caller.to_string_lossy();
    if caller_text
        .split(':')
        .any(|setting| setting.starts_with("glibc.malloc.hugetlb="))
    {
        return None;
    }
    let mut tunables = caller.to_os_string();
    if !tunables.is_empty() {
        tunables.push(":");
    }
    tunables.push(TUNABLE);
    Some(tunables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tunable_is_added_to_the_callers_own() {
        assert_eq!(
            with_huge_pages(OsStr::new("")),
            Some(OsString::from("glibc.malloc.hugetlb=1"))
        );
        assert_eq!(
            with_huge_pages(OsStr::new("glibc.malloc.arena_max=2")),
            Some(OsString::from(
                "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"
            ))
        );
    }

    #[test]
    fn a_callers_own_huge_page_setting_is_kept() {
        for caller in [
            "glibc.malloc.hugetlb=0",
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2",
        ] {
            assert_eq!(with_huge_pages(OsStr::new(caller)), None, "{caller}");
        }
    }
}
