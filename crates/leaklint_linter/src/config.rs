//! `.leaklintrc.json`: the nearest one up the tree from each file, or the one given with
//! `--config`. Unknown keys, unknown rule ids, bad options and malformed JSON are errors that
//! name the file, line and column.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
    sync::Arc,
};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use leaklint_diagnostics::Severity;
use leaklint_model::ModelSettings;
use leaklint_rules::{all_rules, find_rule, Rule, RuleMeta};
use serde::{
    de::{self, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer,
};

pub const CONFIG_FILE_NAME: &str = ".leaklintrc.json";

/// A configuration file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the problem is not at a place in the file (it could not be read).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = leaklint_diagnostics::display_path(&self.path);
        if self.line == 0 {
            write!(f, "{path}: {}", self.message)
        } else {
            write!(f, "{path}:{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

/// How a configuration sets a rule. A rule it does not mention keeps its own severities (a rule
/// may escalate per-request findings to errors); `"warn"` or `"error"` fixes every finding's.
#[derive(Clone)]
pub enum RuleSetting {
    Off,
    Fixed(Severity, Arc<dyn Rule>),
}

impl fmt::Debug for RuleSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSetting::Off => f.write_str("Off"),
            RuleSetting::Fixed(severity, rule) => {
                write!(f, "Fixed({severity}, {})", rule.meta().id)
            }
        }
    }
}

/// One rule as it applies to one file.
#[derive(Clone)]
pub struct ActiveRule {
    pub rule: Arc<dyn Rule>,
    /// `None`: the rule decides per finding.
    pub severity: Option<Severity>,
}

/// What applies to one file: its rules and the project's names.
#[derive(Clone)]
pub struct FileConfig {
    pub rules: Vec<ActiveRule>,
    pub settings: Arc<ModelSettings>,
}

impl FileConfig {
    /// Every rule on with its defaults, no settings: a file with no configuration above it.
    pub fn defaults() -> Self {
        let rules = all_rules()
            .iter()
            .map(|meta| ActiveRule {
                rule: default_rule(meta),
                severity: None,
            })
            .collect();
        Self {
            rules,
            settings: Arc::new(ModelSettings::default()),
        }
    }
}

fn default_rule(meta: &RuleMeta) -> Arc<dyn Rule> {
    Arc::from((meta.factory)(None).expect("every rule builds with default options"))
}

/// A parsed configuration file.
pub struct Config {
    pub path: PathBuf,
    /// The directory globs are relative to.
    pub base: PathBuf,
    rules: BTreeMap<&'static str, RuleSetting>,
    ignore: Gitignore,
    overrides: Vec<Override>,
    settings: Arc<ModelSettings>,
    /// Every rule with default options, built once, for rules a file does not configure.
    defaults: Vec<Arc<dyn Rule>>,
}

struct Override {
    files: GlobSet,
    rules: BTreeMap<&'static str, RuleSetting>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read configuration: {e}"),
        })?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let error = |line, column, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        };
        let raw: RawConfig = serde_json::from_str(text)
            .map_err(|e| error(e.line(), e.column(), strip_position(&e)))?;
        let base = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);

        let mut ignore = GitignoreBuilder::new(&base);
        for pattern in &raw.ignore_patterns {
            ignore.add_line(None, pattern).map_err(|e| {
                error(
                    0,
                    0,
                    format!("invalid pattern `{pattern}` in `ignorePatterns`: {e}"),
                )
            })?;
        }
        let ignore = ignore
            .build()
            .map_err(|e| error(0, 0, format!("invalid `ignorePatterns`: {e}")))?;

        let mut overrides = Vec::new();
        for (index, raw) in raw.overrides.into_iter().enumerate() {
            let mut files = GlobSetBuilder::new();
            for pattern in &raw.files {
                // ESLint's convention: a pattern without a slash matches the file name anywhere.
                let pattern_text = pattern.trim_start_matches("./");
                let anchored = if pattern_text.contains('/') {
                    pattern_text.to_string()
                } else {
                    format!("**/{pattern_text}")
                };
                let glob = GlobBuilder::new(&anchored)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        error(
                            0,
                            0,
                            format!("invalid glob `{pattern}` in `overrides[{index}].files`: {e}"),
                        )
                    })?;
                files.add(glob);
            }
            let files = files
                .build()
                .map_err(|e| error(0, 0, format!("invalid `overrides[{index}].files`: {e}")))?;
            overrides.push(Override {
                files,
                rules: raw.rules.0,
            });
        }

        let settings = ModelSettings {
            request_handler_registrars: raw.settings.request_handler_registrars,
            long_lived: raw.settings.long_lived,
            pools: raw.settings.pools,
            acquire_functions: raw.settings.acquire_functions,
            release_functions: raw.settings.release_functions,
            teardown_methods: raw.settings.teardown_methods,
        };
        Ok(Config {
            path: path.to_path_buf(),
            base,
            rules: raw.rules.0,
            ignore,
            overrides,
            settings: Arc::new(settings),
            defaults: all_rules().iter().map(|meta| default_rule(meta)).collect(),
        })
    }

    /// Whether `ignorePatterns` exclude a file (given as an absolute path).
    pub fn ignores(&self, file: &Path) -> bool {
        file.strip_prefix(&self.base).is_ok()
            && self
                .ignore
                .matched_path_or_any_parents(file, false)
                .is_ignore()
    }

    /// The rules and settings for a file (given as an absolute path).
    pub fn for_file(&self, file: &Path) -> FileConfig {
        let relative = file.strip_prefix(&self.base).unwrap_or(file);
        let mut settings: BTreeMap<&'static str, RuleSetting> = BTreeMap::new();
        for layer in std::iter::once(&self.rules).chain(
            self.overrides
                .iter()
                .filter(|o| o.files.is_match(relative))
                .map(|o| &o.rules),
        ) {
            for (id, setting) in layer {
                settings.insert(id, setting.clone());
            }
        }
        let rules = all_rules()
            .iter()
            .zip(&self.defaults)
            .filter_map(|(meta, default)| match settings.get(meta.id) {
                None => Some(ActiveRule {
                    rule: default.clone(),
                    severity: None,
                }),
                Some(RuleSetting::Off) => None,
                Some(RuleSetting::Fixed(severity, rule)) => Some(ActiveRule {
                    rule: rule.clone(),
                    severity: Some(*severity),
                }),
            })
            .collect();
        FileConfig {
            rules,
            settings: self.settings.clone(),
        }
    }
}

/// serde_json appends " at line L column C"; the error already says where.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_string(),
        None => text,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    #[serde(default)]
    rules: RuleSettings,
    #[serde(default)]
    ignore_patterns: Vec<String>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
    #[serde(default)]
    settings: RawSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawOverride {
    files: Vec<String>,
    #[serde(default)]
    rules: RuleSettings,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawSettings {
    #[serde(default)]
    request_handler_registrars: Vec<String>,
    #[serde(default)]
    long_lived: Vec<String>,
    #[serde(default)]
    pools: Vec<String>,
    #[serde(default)]
    acquire_functions: Vec<String>,
    #[serde(default)]
    release_functions: Vec<String>,
    #[serde(default)]
    teardown_methods: Vec<String>,
}

/// `{ "rule-id": "warn" | ["error", { options }] }`, checked while parsing so that an error
/// carries the position of the offending entry.
#[derive(Default)]
struct RuleSettings(BTreeMap<&'static str, RuleSetting>);

impl<'de> Deserialize<'de> for RuleSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RulesVisitor;
        impl<'de> Visitor<'de> for RulesVisitor {
            type Value = RuleSettings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object mapping rule ids to \"off\", \"warn\", \"error\" or [level, options]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut rules = BTreeMap::new();
                while let Some(id) = map.next_key::<String>()? {
                    let Some(meta) = find_rule(&id) else {
                        let known = all_rules()
                            .iter()
                            .map(|r| r.id)
                            .collect::<Vec<_>>()
                            .join(", ");
                        return Err(de::Error::custom(format!(
                            "unknown rule `{id}` (known rules: {known})"
                        )));
                    };
                    let (level, options) = map.next_value::<LevelAndOptions>()?.0;
                    let setting = match level {
                        None => RuleSetting::Off,
                        Some(level) => {
                            let rule = (meta.factory)(options.as_ref()).map_err(|e| {
                                de::Error::custom(format!("invalid options for `{id}`: {e}"))
                            })?;
                            RuleSetting::Fixed(level, Arc::from(rule))
                        }
                    };
                    rules.insert(meta.id, setting);
                }
                Ok(RuleSettings(rules))
            }
        }
        deserializer.deserialize_map(RulesVisitor)
    }
}

/// `"warn"`, `1`, `["error", { … }]`; `None` level is "off".
struct LevelAndOptions((Option<Severity>, Option<serde_json::Value>));

fn parse_level<E: de::Error>(value: &serde_json::Value) -> Result<Option<Severity>, E> {
    match value {
        serde_json::Value::String(s) => match s.as_str() {
            "off" => Ok(None),
            "warn" => Ok(Some(Severity::Warning)),
            "error" => Ok(Some(Severity::Error)),
            other => Err(E::custom(format!(
                "invalid severity `{other}` (expected \"off\", \"warn\" or \"error\")"
            ))),
        },
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(None),
            Some(1) => Ok(Some(Severity::Warning)),
            Some(2) => Ok(Some(Severity::Error)),
            _ => Err(E::custom(format!(
                "invalid severity `{n}` (expected 0, 1 or 2)"
            ))),
        },
        other => Err(E::custom(format!(
            "invalid severity `{other}` (expected \"off\", \"warn\" or \"error\")"
        ))),
    }
}

impl<'de> Deserialize<'de> for LevelAndOptions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LevelVisitor;
        impl<'de> Visitor<'de> for LevelVisitor {
            type Value = LevelAndOptions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"off\", \"warn\", \"error\" or [level, options]")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LevelAndOptions((
                    parse_level(&serde_json::Value::String(v.to_string()))?,
                    None,
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(LevelAndOptions((
                    parse_level(&serde_json::Value::from(v))?,
                    None,
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LevelAndOptions((
                    parse_level(&serde_json::Value::from(v))?,
                    None,
                )))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let level: serde_json::Value = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("expected [level, options], got []"))?;
                let level = parse_level(&level)?;
                let options: Option<serde_json::Value> = seq.next_element()?;
                if seq.next_element::<serde_json::Value>()?.is_some() {
                    return Err(de::Error::custom(
                        "expected [level, options]: too many elements",
                    ));
                }
                Ok(LevelAndOptions((level, options)))
            }
        }
        deserializer.deserialize_any(LevelVisitor)
    }
}

/// Finds the configuration of each directory: `--config` if given, else the nearest
/// `.leaklintrc.json` up the tree. Each file is read once per run.
#[derive(Default)]
pub struct ConfigResolver {
    explicit: Option<Arc<Config>>,
    /// Directory → the configuration that governs it (or its error, reported once).
    by_dir: std::collections::HashMap<PathBuf, Option<Result<Arc<Config>, usize>>>,
    pub errors: Vec<ConfigError>,
}

impl ConfigResolver {
    pub fn new(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let explicit = explicit
            .map(|p| Config::load(&absolute(p)).map(Arc::new))
            .transpose()?;
        Ok(Self {
            explicit,
            ..Self::default()
        })
    }

    /// The configuration governing an absolute file path: `Ok(None)` when there is none,
    /// `Err(index into errors)` when the nearest one is broken.
    pub fn resolve(&mut self, file: &Path) -> Result<Option<Arc<Config>>, usize> {
        if let Some(config) = &self.explicit {
            return Ok(Some(config.clone()));
        }
        let Some(dir) = file.parent() else {
            return Ok(None);
        };
        self.resolve_dir(dir).transpose()
    }

    fn resolve_dir(&mut self, dir: &Path) -> Option<Result<Arc<Config>, usize>> {
        if let Some(found) = self.by_dir.get(dir) {
            return found.clone();
        }
        let candidate = dir.join(CONFIG_FILE_NAME);
        let found = if candidate.is_file() {
            Some(match Config::load(&candidate) {
                Ok(config) => Ok(Arc::new(config)),
                Err(error) => {
                    self.errors.push(error);
                    Err(self.errors.len() - 1)
                }
            })
        } else {
            match dir.parent() {
                Some(parent) => self.resolve_dir(parent),
                None => None,
            }
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// How one file is to be linted, as an editor asks about a single buffer.
#[derive(Clone)]
pub enum FileSetup {
    /// Lint it with this configuration.
    Lint(FileConfig),
    /// The governing configuration's `ignorePatterns` exclude it.
    Ignored,
    /// The nearest configuration file is broken: the file is not linted.
    BrokenConfig(ConfigError),
}

impl ConfigResolver {
    /// The setup of one file (given as an absolute path).
    pub fn setup(&mut self, file: &Path) -> FileSetup {
        match self.resolve(file) {
            Err(index) => FileSetup::BrokenConfig(self.errors[index].clone()),
            Ok(None) => FileSetup::Lint(FileConfig::defaults()),
            Ok(Some(config)) if config.ignores(file) => FileSetup::Ignored,
            Ok(Some(config)) => FileSetup::Lint(config.for_file(file)),
        }
    }
}

/// An absolute path without touching the file system (no symlink resolution).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The JSON Schema of `.leaklintrc.json`, with each rule's options.
pub fn config_schema() -> serde_json::Value {
    let level = serde_json::json!({ "enum": ["off", "warn", "error", 0, 1, 2] });
    let mut rules = serde_json::Map::new();
    for meta in all_rules() {
        let options: serde_json::Value =
            serde_json::from_str(meta.options_schema).expect("rule options schema is valid JSON");
        rules.insert(
            meta.id.to_string(),
            serde_json::json!({
                "description": meta.description,
                "oneOf": [
                    level,
                    { "type": "array", "prefixItems": [level, options], "items": false, "minItems": 1,
                      "maxItems": 2 }
                ]
            }),
        );
    }
    let rules = serde_json::json!({
        "type": "object",
        "properties": rules,
        "additionalProperties": false
    });
    let names = serde_json::json!({ "type": "array", "items": { "type": "string" } });
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "leaklint configuration (.leaklintrc.json)",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "$schema": { "type": "string" },
            "rules": rules,
            "ignorePatterns": {
                "description": "Files to skip, in .gitignore syntax, relative to this file.",
                "type": "array", "items": { "type": "string" }
            },
            "overrides": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "description": "Globs relative to this file; a glob without `/` matches the file name anywhere.",
                            "type": "array", "items": { "type": "string" }
                        },
                        "rules": rules
                    }
                }
            },
            "settings": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "requestHandlerRegistrars": {
                        "description": "Functions or methods (`registerRoute`, `bot.command`) whose function arguments run once per request.",
                        "items": names["items"], "type": "array"
                    },
                    "longLived": {
                        "description": "Values (`bus`, `app.locals.events`) that live as long as the process.",
                        "items": names["items"], "type": "array"
                    },
                    "pools": {
                        "description": "Connection pools and shared clients (`db`, `this.pool`).",
                        "items": names["items"], "type": "array"
                    },
                    "acquireFunctions": {
                        "description": "Functions or methods (`db.checkout`, `getTenantConnection`) that return a connection the caller must release.",
                        "items": names["items"], "type": "array"
                    },
                    "releaseFunctions": {
                        "description": "Methods or functions (`checkin`, `db.giveBack`) that release a connection.",
                        "items": names["items"], "type": "array"
                    },
                    "teardownMethods": {
                        "description": "Method names (`leave`, `quit`) that end an instance, besides `close`, `destroy`, `dispose`, `stop`, `disconnect` and the other built-in ones.",
                        "items": names["items"], "type": "array"
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/p/.leaklintrc.json"), text)
    }

    #[test]
    fn severities_options_and_overrides() {
        let config = parse(
            r#"{
              "rules": { "uncleared-interval": ["error", { "allowUnref": false }] },
              "overrides": [{ "files": ["scripts/**", "*.test.js"], "rules": { "uncleared-interval": "off" } }],
              "settings": { "requestHandlerRegistrars": ["bot.command"] }
            }"#,
        )
        .unwrap();
        let ids = |file: &FileConfig| -> Vec<&str> {
            file.rules.iter().map(|r| r.rule.meta().id).collect()
        };
        let main = config.for_file(Path::new("/p/src/server.js"));
        assert_eq!(main.rules.len(), all_rules().len());
        let interval = main
            .rules
            .iter()
            .find(|r| r.rule.meta().id == "uncleared-interval")
            .unwrap();
        assert_eq!(interval.severity, Some(Severity::Error));
        assert!(main
            .rules
            .iter()
            .filter(|r| r.rule.meta().id != "uncleared-interval")
            .all(|r| r.severity.is_none()));
        assert_eq!(main.settings.request_handler_registrars, ["bot.command"]);
        for path in ["/p/scripts/seed.js", "/p/src/deep/a.test.js"] {
            let file = config.for_file(Path::new(path));
            assert!(!ids(&file).contains(&"uncleared-interval"), "{path}");
            assert_eq!(file.rules.len(), all_rules().len() - 1, "{path}");
        }
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let error = parse("{\n  \"rules\": {},\n  \"ignore\": []\n}").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(
            error.message.contains("unknown field `ignore`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn unknown_rule_and_bad_options_are_errors() {
        let error = parse("{ \"rules\": {\n \"no-such-rule\": \"warn\" } }").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(
            error.message.contains("unknown rule `no-such-rule`"),
            "{}",
            error.message
        );

        let error = parse(r#"{ "rules": { "uncleared-interval": ["warn", { "allow": 1 }] } }"#)
            .unwrap_err();
        assert!(
            error.message.contains("unknown option `allow`"),
            "{}",
            error.message
        );

        let error = parse(r#"{ "rules": { "uncleared-interval": "warning" } }"#).unwrap_err();
        assert!(
            error.message.contains("invalid severity `warning`"),
            "{}",
            error.message
        );

        let error = parse(r#"{ "settings": { "emitters": [] } }"#).unwrap_err();
        assert!(
            error.message.contains("unknown field `emitters`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn malformed_json_names_the_place() {
        let error = parse("{\n  \"rules\": {\n}").unwrap_err();
        assert_eq!(
            (error.line, error.path.as_path()),
            (3, Path::new("/p/.leaklintrc.json"))
        );
        assert!(
            error.to_string().starts_with("/p/.leaklintrc.json:3:"),
            "{error}"
        );
    }

    #[test]
    fn ignore_patterns_are_relative_to_the_config() {
        let config = parse(r#"{ "ignorePatterns": ["generated/", "*.gen.ts"] }"#).unwrap();
        assert!(config.ignores(Path::new("/p/generated/a.js")));
        assert!(config.ignores(Path::new("/p/src/x.gen.ts")));
        assert!(!config.ignores(Path::new("/p/src/a.js")));
        assert!(!config.ignores(Path::new("/elsewhere/generated/a.js")));
    }

    #[test]
    fn schema_lists_every_rule() {
        let schema = config_schema();
        for meta in all_rules() {
            assert!(schema["properties"]["rules"]["properties"]
                .get(meta.id)
                .is_some());
        }
    }
}
