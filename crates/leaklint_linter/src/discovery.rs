//! Which files a run looks at. Directories are walked in parallel with `ignore` (honouring
//! `.gitignore` and `.ignore`, skipping hidden files); files named on the command line are linted
//! even where a walk would skip them, unless `--force-exclude`.

use std::{
    ffi::OsStr,
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
};

use ignore::{ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

/// JavaScript and TypeScript extensions leaklint reads.
pub const EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx"];

/// Directories never walked into.
const ALWAYS_SKIPPED_DIRS: &[&str] = &["node_modules"];
/// Directories of build output, and of tests and benchmarks (code that runs once per test or
/// benchmark process, not in a service), skipped unless `--no-default-ignores`.
const DEFAULT_SKIPPED_DIRS: &[&str] = &[
    "dist",
    "build",
    "built",
    "coverage",
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "benchmark",
    "benchmarks",
];

/// How test and benchmark files are named: `store.test.ts`, `store.spec.js`, `store.bench.mjs`.
const TEST_FILE_INFIXES: &[&str] = &[".test.", ".spec.", ".bench."];

#[derive(Debug, Clone, Copy)]
pub struct DiscoveryOptions {
    /// Apply the walk's exclusions to files named explicitly too (for pre-commit and
    /// lint-staged, which pass file lists).
    pub force_exclude: bool,
    /// Skip `dist/`, `build/`, `built/`, `coverage/`, test and benchmark directories (`test/`,
    /// `__tests__/`, `benchmarks/`, …), test files (`*.test.ts`, `*.spec.js`) and minified files
    /// (`*.min.js`, `*-min.js`).
    pub default_ignores: bool,
    pub threads: usize,
}

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    pub path: PathBuf,
    /// Named on the command line rather than found by walking.
    pub explicit: bool,
    /// Size in bytes when found (0 if unknown): large files are started first.
    pub size: u64,
}

/// What a run looks at.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to lint, sorted by path, each once.
    pub files: Vec<Discovered>,
    /// Paths named on the command line that do not exist.
    pub missing: Vec<PathBuf>,
    /// Paths that exist but could not be looked into (a directory without read permission,
    /// a file under one), with the reason, sorted by path.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Files under `paths`, sorted by path and without duplicates, the paths that do not exist and
/// those that could not be read.
pub fn discover(paths: &[PathBuf], options: DiscoveryOptions) -> Discovery {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut unreadable = Mutex::new(Vec::new());
    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                missing.push(path.clone());
                continue;
            }
            // Permission denied on the way, a name too long, a loop of links: the cause, not
            // "no such file".
            Err(error) => {
                let reason = format!("cannot read {}: {error}", describe(path));
                unreadable.get_mut().unwrap().push((path.clone(), reason));
                continue;
            }
        };
        if metadata.is_dir() {
            walk(path, options, &mut found, &unreadable);
        } else if has_source_extension(path)
            && (!options.force_exclude || !excluded_by_default(path, options))
        {
            found.push(Discovered {
                path: path.clone(),
                explicit: true,
                size: metadata.len(),
            });
        }
    }
    if paths.len() > 1 {
        found = deduplicate(found);
    } else {
        // One path's walk finds each file once.
        sort(&mut found);
    }
    let mut unreadable = unreadable
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    unreadable.sort();
    unreadable.dedup();
    Discovery {
        files: found,
        missing,
        unreadable,
    }
}

/// "directory" or "file", for messages; what cannot be looked at is a path.
fn describe(path: &Path) -> &'static str {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => "directory",
        Ok(_) => "file",
        Err(_) => "path",
    }
}

/// Sorted, each file once however often and however it was named: `src` and `./src/a.js`,
/// or `lib/../src` and `src`, name the same files. The shortest spelling is kept, and a file
/// named on the command line anywhere counts as named.
fn deduplicate(found: Vec<Discovered>) -> Vec<Discovered> {
    let cwd = std::env::current_dir().ok();
    let mut keyed: Vec<(PathBuf, Discovered)> = found
        .into_iter()
        .map(|file| (identity(&file.path, cwd.as_deref()), file))
        .collect();
    fn spelling(file: &Discovered) -> (usize, &OsStr) {
        (file.path.as_os_str().len(), file.path.as_os_str())
    }
    keyed.sort_by(|a, b| {
        (a.0.as_os_str().cmp(b.0.as_os_str())).then_with(|| spelling(&a.1).cmp(&spelling(&b.1)))
    });
    keyed.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1.explicit |= later.1.explicit;
        }
        same
    });
    let mut files: Vec<Discovered> = keyed.into_iter().map(|(_, file)| file).collect();
    sort(&mut files);
    files
}

/// In byte order of the paths: comparing `Path`s component by component is several times
/// slower, and a walk finds thousands of files.
fn sort(files: &mut [Discovered]) {
    files.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
}

/// What tells two spellings of a file apart: the absolute path with `.` and repeated
/// separators dropped, and, only where the path climbs with `..` (which a symbolic link makes
/// different from removing the component before it), the path as the file system resolves it.
fn identity(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    if absolute
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        if let Ok(resolved) = std::fs::canonicalize(&absolute) {
            return resolved;
        }
    }
    absolute.components().collect()
}

fn walk(
    root: &Path,
    options: DiscoveryOptions,
    found: &mut Vec<Discovered>,
    unreadable: &Mutex<Vec<(PathBuf, String)>>,
) {
    let default_ignores = options.default_ignores;
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .require_git(false)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(ALWAYS_SKIPPED_DIRS.contains(&name.as_ref())
                || (default_ignores && DEFAULT_SKIPPED_DIRS.contains(&name.as_ref())))
        })
        .build_parallel();
    let collected = Mutex::new(Vec::new());
    walker.visit(&mut Collector {
        collected: &collected,
        unreadable,
        found: Vec::new(),
        default_ignores,
    });
    found.extend(collected.into_inner().expect("walk finished"));
}

/// One walker thread's files. Each thread keeps its own list and hands it over once, when the
/// walk drops it: a lock taken per file made the walker threads wait on each other, a futex call
/// for about every file.
struct Collector<'s> {
    collected: &'s Mutex<Vec<Discovered>>,
    /// Where the walk could not go, and why: rare, so one shared list is enough.
    unreadable: &'s Mutex<Vec<(PathBuf, String)>>,
    found: Vec<Discovered>,
    default_ignores: bool,
}

impl<'s> ParallelVisitorBuilder<'s> for Collector<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector {
            collected: self.collected,
            unreadable: self.unreadable,
            found: Vec::new(),
            default_ignores: self.default_ignores,
        })
    }
}

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let failure = walk_failure(error);
                self.unreadable
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(failure);
                return WalkState::Continue;
            }
        };
        if entry.file_type().is_some_and(|t| t.is_file())
            && has_source_extension(entry.path())
            && !excluded_file_name(entry.path(), self.default_ignores)
        {
            self.found.push(Discovered {
                size: entry.metadata().map_or(0, |m| m.len()),
                path: entry.into_path(),
                explicit: false,
            });
        }
        WalkState::Continue
    }
}

/// Where a walk failed and why, from `ignore`'s error (a path and an I/O error, wrapped in
/// the depth it happened at).
fn walk_failure(error: ignore::Error) -> (PathBuf, String) {
    let mut path = None;
    let mut error = error;
    loop {
        match error {
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = *err;
            }
            ignore::Error::WithPath { path: at, err } => {
                path.get_or_insert(at);
                error = *err;
            }
            other => {
                let path = path.unwrap_or_default();
                let reason = match &other {
                    ignore::Error::Io(io) => format!("cannot read {}: {io}", describe(&path)),
                    _ => format!("cannot walk {}: {other}", describe(&path)),
                };
                return (path, reason);
            }
        }
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        // Never drop found files: a lock poisoned by another thread's panic still holds the list.
        let mut collected = self
            .collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        collected.append(&mut self.found);
    }
}

pub fn has_source_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// Whether an editor buffer with this name is linted: a source extension, not a declaration file.
pub fn is_lintable_name(path: &Path) -> bool {
    has_source_extension(path) && !excluded_file_name(path, false)
}

/// How minified files are named: `app.min.js`, `app.min.mjs`, `app.min.cjs`, `app-min.js`.
const MINIFIED_SUFFIXES: &[&str] = &[".min.js", ".min.mjs", ".min.cjs", "-min.js"];

/// Declaration files and, by default, minified bundles.
fn excluded_file_name(path: &Path, default_ignores: bool) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with(".d.ts")
        || name.ends_with(".d.mts")
        || name.ends_with(".d.cts")
        || (default_ignores && MINIFIED_SUFFIXES.iter().any(|s| name.ends_with(s)))
        || (default_ignores && TEST_FILE_INFIXES.iter().any(|s| name.contains(s)))
}

/// What a walk would skip by name, for explicit files under `--force-exclude`.
fn excluded_by_default(path: &Path, options: DiscoveryOptions) -> bool {
    let in_skipped_dir = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        ALWAYS_SKIPPED_DIRS.contains(&c.as_ref())
            || (options.default_ignores && DEFAULT_SKIPPED_DIRS.contains(&c.as_ref()))
    });
    in_skipped_dir || excluded_file_name(path, options.default_ignores)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "x;\n").unwrap();
    }

    fn names(found: &[Discovered], root: &Path) -> Vec<String> {
        found
            .iter()
            .map(|d| {
                d.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    const OPTIONS: DiscoveryOptions = DiscoveryOptions {
        force_exclude: false,
        default_ignores: true,
        threads: 2,
    };

    #[test]
    fn walk_skips_what_users_expect() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "src/a.js",
            "src/b.ts",
            "src/c.tsx",
            "src/d.mjs",
            "src/e.cjs",
            "src/f.mts",
            "src/g.cts",
            "src/h.jsx",
            "src/types.d.ts",
            "src/readme.md",
            "node_modules/x/index.js",
            "dist/bundle.js",
            "build/out.js",
            "core/built/admin.js",
            "coverage/lcov.js",
            "vendor/lib.min.js",
            "vendor/esm.min.mjs",
            "public/scripts/u2f-api-min.js",
            "test/helpers.js",
            "packages/core/__tests__/pool.ts",
            "benchmarks/sender.js",
            "src/store.test.ts",
            "src/store.spec.js",
            "src/latest.js",
            "src/admin.js",
            ".hidden/x.js",
            "generated/skip.js",
            "src/deep/node_modules/y.js",
        ] {
            touch(root, rel);
        }
        std::fs::write(root.join(".gitignore"), "generated/\n").unwrap();
        let Discovery {
            files: found,
            missing,
            ..
        } = discover(&[root.to_path_buf()], OPTIONS);
        assert!(missing.is_empty());
        assert_eq!(
            names(&found, root),
            [
                "src/a.js",
                "src/admin.js",
                "src/b.ts",
                "src/c.tsx",
                "src/d.mjs",
                "src/e.cjs",
                "src/f.mts",
                "src/g.cts",
                "src/h.jsx",
                "src/latest.js"
            ]
        );

        let all = DiscoveryOptions {
            default_ignores: false,
            ..OPTIONS
        };
        let Discovery { files: found, .. } = discover(&[root.to_path_buf()], all);
        assert!(names(&found, root).contains(&"dist/bundle.js".to_string()));
        assert!(names(&found, root).contains(&"core/built/admin.js".to_string()));
        assert!(names(&found, root).contains(&"public/scripts/u2f-api-min.js".to_string()));
        assert!(names(&found, root).contains(&"packages/core/__tests__/pool.ts".to_string()));
        assert!(names(&found, root).contains(&"src/store.test.ts".to_string()));
        assert!(!names(&found, root)
            .iter()
            .any(|n| n.contains("node_modules")));
    }

    #[test]
    fn explicit_files_and_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "dist/bundle.js");
        touch(root, "notes.txt");
        let explicit = root.join("dist/bundle.js");
        let paths = [
            explicit.clone(),
            root.join("notes.txt"),
            root.join("nope.js"),
        ];
        let Discovery {
            files: found,
            missing,
            ..
        } = discover(&paths, OPTIONS);
        assert_eq!(
            found,
            [Discovered {
                size: std::fs::metadata(&explicit).unwrap().len(),
                path: explicit,
                explicit: true,
            }]
        );
        assert_eq!(missing, [root.join("nope.js")]);

        let forced = DiscoveryOptions {
            force_exclude: true,
            ..OPTIONS
        };
        let Discovery { files: found, .. } = discover(&paths, forced);
        assert!(found.is_empty());
    }

    #[test]
    fn a_file_named_several_ways_is_found_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "src/a.js");
        touch(root, "src/b.js");
        touch(root, "lib/c.js");
        let paths = [
            root.join("src"),
            root.join("./src"),
            root.join("src/./a.js"),
            root.join("lib/../src/a.js"),
            root.join("src//b.js"),
        ];
        let Discovery {
            files: found,
            missing,
            ..
        } = discover(&paths, OPTIONS);
        assert!(missing.is_empty());
        assert_eq!(names(&found, root), ["src/a.js", "src/b.js"]);
        // Named on the command line as well as found by the walk: named.
        assert!(found.iter().all(|f| f.explicit), "{found:?}");
        let Discovery { files: walked, .. } = discover(&[root.join("src")], OPTIONS);
        assert!(walked.iter().all(|f| !f.explicit));
    }
}
