//! The `leaklint` command: argument parsing and wiring only; the work is in `crates/`.

use std::{
    io::{IsTerminal, Write},
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};

use clap::{Parser, Subcommand, ValueEnum};
use leaklint_diagnostics::Totals;
use leaklint_linter::{DiscoveryOptions, LintOptions, RunOptions};
use leaklint_report::{
    baseline::{Baseline, Places},
    plural, Format, ReportOptions,
};
use leaklint_rules::all_rules;

mod huge_pages;

/// Exit codes, as the README documents them.
const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_TROUBLE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "leaklint",
    version,
    about = "Finds memory-leak patterns in JavaScript and TypeScript services",
    args_conflicts_with_subcommands = true,
    after_help = "Exit codes: 0 no error-level findings, 1 error-level findings (or more warnings than \
                  --max-warnings), 2 usage, configuration, I/O or internal errors.\n\n\
                  Environment: NO_COLOR turns colour off; LEAKLINT_HUGE_PAGES=0 keeps a lint run \
                  on Linux from restarting itself with glibc's transparent huge pages."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    lint: LintArgs,
}

#[derive(Subcommand)]
enum Command {
    /// List the rules: id, default severity, what each finds.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule id, e.g. `uncleared-interval`.
        rule: String,
    },
    /// Print the JSON Schema of `.leaklintrc.json`.
    ConfigSchema,
    /// Run the language server (LSP over stdin/stdout) for editors.
    Lsp {
        /// Accepted for clients that pass it (vscode-languageclient's stdio transport); stdio
        /// is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Pretty,
    Json,
    Sarif,
    Github,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Files and directories to lint.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value = "pretty")]
    format: FormatArg,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    output_file: Option<PathBuf>,

    /// Use this configuration file for every file, instead of the nearest `.leaklintrc.json`.
    #[arg(short, long, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Number of threads, 1 to 256 (default, or 0: all cores).
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    threads: Option<usize>,

    /// Report errors only.
    #[arg(short, long)]
    quiet: bool,

    /// Exit with 1 when there are more than N warnings.
    #[arg(long, value_name = "N")]
    max_warnings: Option<usize>,

    /// Skip files named on the command line that a directory walk would skip (for pre-commit
    /// and lint-staged, which pass file lists).
    #[arg(long)]
    force_exclude: bool,

    /// Also lint `dist/`, `build/`, `built/`, `coverage/`, minified files (`*.min.js`,
    /// `*-min.js`), and tests and benchmarks (`test/`, `__tests__/`, `*.test.ts`, …).
    #[arg(long)]
    no_default_ignores: bool,

    /// Skip files larger than SIZE, with a note (bytes, or with a unit: 512KB, 10MB, 1GB; binary
    /// units). 0 lints every file whatever its size.
    // The default: hand-written modules stay far below 10 MiB; bundles and generated files above
    // it take the parser long and hold little to fix by hand (TypeScript's own 9 MB compiler
    // bundle is still linted).
    #[arg(long, value_name = "SIZE", default_value = "10MB", value_parser = parse_size)]
    max_file_size: u64,

    /// Report `leaklint-disable` comments that suppress nothing, as errors.
    #[arg(long)]
    report_unused_disable_directives: bool,

    /// SARIF: the analysis category (`runs[0].automationDetails.id`), to tell several leaklint
    /// analyses of one repository apart in GitHub code scanning.
    #[arg(long, value_name = "CATEGORY")]
    sarif_category: Option<String>,

    /// Record the current findings in FILE (to adopt leaklint in a large code base), and exit 0
    /// unless something could not be linted.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,

    /// Report only findings not recorded in FILE (written by --write-baseline), and say how many
    /// recorded ones no longer occur.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

fn main() -> ExitCode {
    // A crash on one file is caught and reported as that file's `internal-error`; say it once,
    // briefly, instead of the default backtrace banner.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("leaklint: internal error: {info}");
    }));
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Rules) => list_rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::ConfigSchema) => {
            let schema = leaklint_linter::config_schema();
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).expect("schema serialises")
            );
            EXIT_CLEAN
        }
        Some(Command::Lsp { stdio: _ }) => {
            if leaklint_lsp::run_stdio() == 0 {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            }
        }
        None => {
            huge_pages::enable();
            lint(&cli.lint)
        }
    };
    ExitCode::from(code)
}

fn list_rules() -> u8 {
    let width = all_rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
    for rule in all_rules() {
        let severity = match rule.escalated_severity {
            Some(escalated) if escalated != rule.default_severity => {
                format!("{} ({escalated} per request)", rule.default_severity)
            }
            _ => rule.default_severity.to_string(),
        };
        println!("{:width$}  {severity:26}  {}", rule.id, rule.description);
    }
    EXIT_CLEAN
}

fn explain(id: &str) -> u8 {
    match leaklint_rules::find_rule(id) {
        Some(rule) => {
            print!("{}", rule.docs);
            EXIT_CLEAN
        }
        None => {
            let known = all_rules()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(", ");
            eprintln!("leaklint: error: unknown rule `{id}` (known rules: {known})");
            EXIT_TROUBLE
        }
    }
}

fn lint(args: &LintArgs) -> u8 {
    let started = Instant::now();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    // A baseline that cannot be used stops the run before any work: its findings would all
    // come back as new.
    let baseline = match &args.baseline {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Baseline::parse(&text))
        {
            Ok(baseline) => Some((baseline, path)),
            Err(error) => {
                eprintln!(
                    "leaklint: error: cannot use baseline {}: {error}",
                    path.display()
                );
                return EXIT_TROUBLE;
            }
        },
        None => None,
    };
    let threads = args
        .threads
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let options = RunOptions {
        paths: args.paths.clone(),
        config: args.config.clone(),
        discovery: DiscoveryOptions {
            force_exclude: args.force_exclude,
            default_ignores: !args.no_default_ignores,
            threads,
        },
        lint: LintOptions {
            unused_directives: args
                .report_unused_disable_directives
                .then_some(leaklint_diagnostics::Severity::Error),
            max_file_size: (args.max_file_size > 0).then_some(args.max_file_size),
        },
    };
    let result = match leaklint_linter::run(&options) {
        Ok(result) => result,
        Err(error) => {
            eprintln!("leaklint: error: {error}");
            return EXIT_TROUBLE;
        }
    };

    for path in &result.missing {
        eprintln!(
            "leaklint: error: no such file or directory: {}",
            path.display()
        );
    }
    for (error, skipped) in &result.config_errors {
        let skipped = match skipped {
            0 => String::new(),
            1 => " (1 file under it was not linted)".to_string(),
            n => format!(" ({n} files under it were not linted)"),
        };
        eprintln!("leaklint: error: {error}{skipped}");
    }
    let not_linted = not_linted(&result);
    let trouble = !not_linted.is_empty();

    if let Some(path) = &args.write_baseline {
        return write_baseline(path, result.reports, result.files, &cwd, trouble);
    }
    let mut reports = result.reports;
    let mut baseline_note = None;
    if let Some((baseline, path)) = &baseline {
        let places = Places::new(baseline_dir(path), &cwd);
        let (kept, applied) = baseline.apply(reports, &result.linted, &places);
        reports = kept;
        baseline_note = Some(applied);
    }

    // Warnings count towards --max-warnings even when --quiet hides them.
    let all_totals = Totals::of(&reports, result.files);
    let reports = if args.quiet {
        leaklint_linter::errors_only(reports)
    } else {
        reports
    };
    let totals = Totals {
        warnings: if args.quiet { 0 } else { all_totals.warnings },
        ..all_totals
    };

    let format = match args.format {
        FormatArg::Pretty => Format::Pretty,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
    };
    let to_terminal = args.output_file.is_none() && std::io::stdout().is_terminal();
    let color = colour_allowed(to_terminal);
    let elapsed_ms = started.elapsed().as_millis();
    let report_options = ReportOptions {
        color,
        cwd: &cwd,
        tool_version: env!("CARGO_PKG_VERSION"),
        elapsed_ms,
        sarif_category: args.sarif_category.as_deref(),
    };
    let rendered = leaklint_report::render(format, &reports, &totals, &report_options);

    match &args.output_file {
        Some(path) => {
            if let Err(error) = write_atomically(path, rendered.as_bytes()) {
                eprintln!("leaklint: error: cannot write {}: {error}", path.display());
                return EXIT_TROUBLE;
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(rendered.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                // Standard output closed (e.g. piped into `head`): nothing more to say.
                return EXIT_TROUBLE;
            }
        }
    }
    if format == Format::Pretty {
        let stderr_color = colour_allowed(std::io::stderr().is_terminal());
        eprintln!(
            "{}",
            leaklint_report::summary_line(&totals, elapsed_ms, stderr_color, &not_linted)
        );
    }
    if let Some(applied) = baseline_note {
        let mut note = format!(
            "leaklint: {} hidden by the baseline",
            plural(applied.hidden, "finding", "findings")
        );
        if applied.gone > 0 {
            note.push_str(&format!(
                "; {} no longer {} (run with --write-baseline to shrink it)",
                plural(applied.gone, "baseline entry", "baseline entries"),
                if applied.gone == 1 { "occurs" } else { "occur" }
            ));
        }
        eprintln!("{note}");
    }

    if trouble || all_totals.tool_errors > 0 {
        EXIT_TROUBLE
    } else if all_totals.errors > 0
        || args
            .max_warnings
            .is_some_and(|max| all_totals.warnings > max)
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// What the run left out before reading any file, for the summary line: configurations that
/// could not be used and paths that do not exist. Empty when nothing was left out.
fn not_linted(result: &leaklint_linter::RunResult) -> Vec<String> {
    let mut said = Vec::new();
    if !result.config_errors.is_empty() {
        let files: usize = result.config_errors.iter().map(|(_, n)| n).sum();
        let mut text = plural(
            result.config_errors.len(),
            "configuration error",
            "configuration errors",
        );
        if files > 0 {
            text.push_str(&format!(" ({} not linted)", plural(files, "file", "files")));
        }
        said.push(text);
    }
    if !result.missing.is_empty() {
        said.push(format!(
            "{} not found",
            plural(result.missing.len(), "path", "paths")
        ));
    }
    said
}

/// Records the findings in a baseline file. Parse and tool errors are shown, never recorded.
fn write_baseline(
    path: &Path,
    reports: Vec<leaklint_diagnostics::FileReport>,
    files: usize,
    cwd: &Path,
    trouble: bool,
) -> u8 {
    let baseline = Baseline::of(&reports, &Places::new(baseline_dir(path), cwd));
    if let Err(error) = write_atomically(path, baseline.to_json().as_bytes()) {
        eprintln!("leaklint: error: cannot write {}: {error}", path.display());
        return EXIT_TROUBLE;
    }
    let problems = leaklint_linter::retain_diagnostics(reports, |d| {
        d.kind != leaklint_diagnostics::DiagnosticKind::Finding
    });
    let totals = Totals::of(&problems, files);
    if !problems.is_empty() {
        let options = ReportOptions {
            color: colour_allowed(std::io::stderr().is_terminal()),
            cwd,
            tool_version: env!("CARGO_PKG_VERSION"),
            elapsed_ms: 0,
            sarif_category: None,
        };
        eprint!(
            "{}",
            leaklint_report::render(Format::Pretty, &problems, &totals, &options)
        );
    }
    eprintln!(
        "leaklint: wrote {} to {} ({} linted)",
        plural(baseline.len(), "finding", "findings"),
        path.display(),
        plural(files, "file", "files")
    );
    if trouble || totals.tool_errors > 0 || totals.errors > 0 {
        EXIT_TROUBLE
    } else {
        EXIT_CLEAN
    }
}

/// The directory a baseline file's paths are relative to.
fn baseline_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything non-empty.
fn colour_allowed(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers see the old
/// file or the whole new one, never a truncated one. A symlink is followed (its target is
/// replaced, the link kept), an existing file keeps its permissions, and anything that is not a
/// regular file (`/dev/null`, a FIFO, `/dev/stdout`) is written to directly: replacing a device
/// with a file would break the machine.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes);
    }
    let target = match existing {
        Some(_) => std::fs::canonicalize(path)?,
        None => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    let permissions = match &existing {
        Some(metadata) => Some(metadata.permissions()),
        None => default_permissions(),
    };
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// A new report is readable by everyone, like one written by a shell redirection (less the
/// umask, which cannot be read without changing it). Elsewhere the default is kept.
fn default_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The most `--threads` accepts: far more than the cores of any machine leaklint runs on, and
/// few enough that each thread's reserved stack (`ANALYSIS_STACK_SIZE`) cannot exhaust the
/// address space.
const MAX_THREADS: usize = 256;

/// `--threads`: a whole number from 0 (all cores) to [`MAX_THREADS`].
fn parse_threads(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of threads"))?;
    if n > MAX_THREADS {
        return Err(format!(
            "{n} threads is more than the {MAX_THREADS} leaklint runs at most (0 uses all cores)"
        ));
    }
    Ok(n)
}

/// `--max-file-size`: `1048576`, `512KB`, `10MB`, `1GiB` (K, M and G are powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 512KB or 10MB)"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use KB, MB or GB)")),
    };
    number
        .checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too large"))
}
