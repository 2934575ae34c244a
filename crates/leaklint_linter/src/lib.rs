//! The linter: finds the files, resolves each one's configuration, lints them in parallel and
//! returns one report per file in a deterministic order.

pub mod config;
mod depth;
pub mod discovery;
mod engine;
mod suppressions;

use std::path::PathBuf;

use leaklint_diagnostics::{engine_ids, Diagnostic, FileReport, Severity};
use rayon::prelude::*;

pub use config::{
    config_schema, ConfigError, ConfigResolver, FileConfig, FileSetup, CONFIG_FILE_NAME,
};
pub use discovery::{DiscoveryOptions, EXTENSIONS};
pub use engine::{lint_path, lint_source, LintOptions};

/// Parsing is recursive: deeply nested code needs deep stacks. The memory is only reserved,
/// and used only by files that need it. Every thread that lints needs it.
pub const ANALYSIS_STACK_SIZE: usize = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub paths: Vec<PathBuf>,
    /// `--config`: one configuration for every file instead of the nearest one.
    pub config: Option<PathBuf>,
    pub discovery: DiscoveryOptions,
    pub lint: LintOptions,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct RunResult {
    /// One report per linted file that has something to show, sorted by path.
    pub reports: Vec<FileReport>,
    /// Files linted.
    pub files: usize,
    /// The paths of the files linted, in no particular order.
    pub linted: Vec<PathBuf>,
    /// Paths named on the command line that do not exist.
    pub missing: Vec<PathBuf>,
    /// Configuration files that could not be used, and how many files each left unlinted.
    pub config_errors: Vec<(ConfigError, usize)>,
}

/// Lints everything under `options.paths`. Fails only when `--config` itself is unusable.
pub fn run(options: &RunOptions) -> Result<RunResult, ConfigError> {
    let mut resolver = ConfigResolver::new(options.config.as_deref())?;
    let discovery::Discovery {
        files: discovered,
        missing,
        unreadable,
    } = discovery::discover(&options.paths, options.discovery);

    // Configurations are resolved in order, before the parallel part, so that each file on disk
    // is read once and errors come out in a stable order.
    let mut skipped_by_broken_config = Vec::new();
    let mut jobs: Vec<(PathBuf, FileConfig, u64)> = Vec::with_capacity(discovered.len());
    let defaults = FileConfig::defaults();
    for file in discovered {
        let absolute = config::absolute(&file.path);
        match resolver.resolve(&absolute) {
            Err(broken) => skipped_by_broken_config.push(broken),
            Ok(None) => jobs.push((file.path, defaults.clone(), file.size)),
            Ok(Some(config)) => {
                let ignored = config.ignores(&absolute);
                if ignored && (!file.explicit || options.discovery.force_exclude) {
                    continue;
                }
                jobs.push((file.path, config.for_file(&absolute), file.size));
            }
        }
    }
    let config_errors = resolver
        .errors
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                e.clone(),
                skipped_by_broken_config.iter().filter(|&&b| b == i).count(),
            )
        })
        .collect();

    // No more threads than files: each one reserves a deep stack.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.discovery.threads.clamp(1, jobs.len().max(1)))
        .stack_size(ANALYSIS_STACK_SIZE)
        .build()
        .expect("thread pool");
    let lint = options.lint;
    // Largest files first: a big file started last would leave the other threads idle while it
    // finishes, and two big files at once is what peak memory is made of. The reports are
    // sorted afterwards, so the order of work never shows.
    let mut order: Vec<&(PathBuf, FileConfig, u64)> = jobs.iter().collect();
    order.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let mut reports: Vec<FileReport> = pool.install(|| {
        // One file per task: rayon otherwise hands each thread a contiguous run of the list,
        // and the run with the large files would be linted by one thread alone.
        order
            .par_iter()
            .with_max_len(1)
            .map(|(path, config, _)| engine::lint_path(path, config, lint))
            .filter(|report| !report.diagnostics.is_empty())
            .collect()
    });
    // What could not be looked into is reported like a file that could not be read.
    reports.extend(unreadable.into_iter().map(|(path, reason)| FileReport {
        path,
        source: None,
        line_index: None,
        diagnostics: vec![Diagnostic::tool_error(engine_ids::READ_ERROR, reason)],
    }));
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(RunResult {
        reports,
        files: jobs.len(),
        linted: jobs.into_iter().map(|(path, _, _)| path).collect(),
        missing,
        config_errors,
    })
}

/// Drops warnings (`--quiet`), keeping the files that still have something to show.
pub fn errors_only(reports: Vec<FileReport>) -> Vec<FileReport> {
    retain_diagnostics(reports, |d| d.severity == Severity::Error)
}

/// Keeps the diagnostics `keep` accepts, and the reports that still have any.
pub fn retain_diagnostics(
    reports: Vec<FileReport>,
    mut keep: impl FnMut(&Diagnostic) -> bool,
) -> Vec<FileReport> {
    reports
        .into_iter()
        .filter_map(|mut report| {
            report.diagnostics.retain(&mut keep);
            (!report.diagnostics.is_empty()).then_some(report)
        })
        .collect()
}
