//! SARIF 2.1.0 (`--format sarif`), as GitHub code scanning accepts it.
//!
//! One run. `tool.driver.rules` lists every rule (results or not), then
//! `unused-disable-directive` when such findings are reported. Results are the findings of
//! those rules; parse, read and internal errors are tool execution notifications instead, and
//! any tool error makes the invocation unsuccessful. Locations are relative to `%SRCROOT%` (the
//! working directory) when the file is under it, absolute `file://` URIs otherwise; columns
//! count UTF-16 code units (`columnKind: utf16CodeUnits`) and `endColumn` is exclusive.

use std::{
    collections::BTreeMap,
    path::{Component, Path, PathBuf, Prefix},
};

use leaklint_diagnostics::{
    engine_ids, ByteSpan, Diagnostic, DiagnosticKind, FileReport, Role, Severity, Totals,
};
use leaklint_rules::{all_rules, docs_url, RuleMeta, INFORMATION_URI};
use percent_encoding::{percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::{fingerprint, json::Range, ReportOptions};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const SARIF_VERSION: &str = "2.1.0";
/// The `uriBaseId` that relative artifact locations are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// Everything but RFC 3986 unreserved characters is percent-encoded in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The SARIF log, pretty-printed, with a trailing newline.
pub fn render(reports: &[FileReport], totals: &Totals, options: &ReportOptions) -> String {
    let cwd = normalize(options.cwd);
    let mut rules: Vec<ReportingDescriptor> = all_rules().iter().map(|r| descriptor(r)).collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    let mut unused_directive_index = None;

    for report in reports {
        // Hashed once per file, and only for files with results.
        let mut line_hashes: Option<Vec<String>> = None;
        for diagnostic in &report.diagnostics {
            match diagnostic.kind {
                DiagnosticKind::Finding => {
                    let rule_index = if let Some(index) = all_rules()
                        .iter()
                        .position(|rule| rule.id == diagnostic.rule)
                    {
                        index
                    } else if diagnostic.rule == engine_ids::UNUSED_DISABLE_DIRECTIVE {
                        *unused_directive_index.get_or_insert_with(|| {
                            rules.push(unused_directive_descriptor(diagnostic.severity));
                            rules.len() - 1
                        })
                    } else {
                        continue;
                    };
                    let mut result = result(report, diagnostic, rule_index, &cwd);
                    if let (Some(source), Some(region)) = (
                        &report.source,
                        &result.locations[0].physical_location.region,
                    ) {
                        let hashes =
                            line_hashes.get_or_insert_with(|| fingerprint::line_hashes(source));
                        if let Some(hash) = hashes.get(region.start_line as usize - 1) {
                            result.partial_fingerprints = Some(PartialFingerprints {
                                primary_location_line_hash: hash.clone(),
                            });
                        }
                    }
                    results.push(result);
                }
                DiagnosticKind::ParseError
                | DiagnosticKind::ToolError
                | DiagnosticKind::Skipped
                | DiagnosticKind::Notice => {
                    notifications.push(notification(report, diagnostic, &cwd));
                }
            }
        }
    }

    let log = Log {
        schema: SCHEMA,
        version: SARIF_VERSION,
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "leaklint",
                    version: options.tool_version,
                    semantic_version: options.tool_version,
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: totals.tool_errors == 0,
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: file_uri(&cwd, true),
                    uri_base_id: None,
                },
            )]),
            results,
            column_kind: "utf16CodeUnits",
            automation_details: options.sarif_category.map(|category| AutomationDetails {
                // GitHub reads the part before the last `/` as the category (the upload action
                // appends the `/` the same way).
                id: if category.ends_with('/') {
                    category.to_string()
                } else {
                    format!("{category}/")
                },
            }),
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("the SARIF log always serialises");
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn descriptor(rule: &'static RuleMeta) -> ReportingDescriptor {
    ReportingDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: Message::new(rule.description),
        full_description: Message::new(rule.full_description()),
        help_uri: Some(docs_url(rule.id)),
        help: Some(MultiformatMessage {
            text: rule.docs_body(),
            markdown: rule.docs_body(),
        }),
        default_configuration: Configuration {
            level: level(rule.default_severity),
        },
        properties: RuleProperties {
            tags: rule.tags,
            precision: Some(rule.precision),
            problem_severity: level(rule.default_severity),
        },
    }
}

fn unused_directive_descriptor(severity: Severity) -> ReportingDescriptor {
    const DESCRIPTION: &str = "A leaklint-disable comment that suppressed nothing";
    const DIRECTIVE_HELP: &str = "A `leaklint-disable` comment suppressed no finding: the code it \
        excused has changed or the rule no longer reports it. Remove the comment, or the rule ids \
        in it that suppress nothing, so that it cannot hide a future leak.";
    ReportingDescriptor {
        id: engine_ids::UNUSED_DISABLE_DIRECTIVE,
        name: "UnusedDisableDirective",
        short_description: Message::new(DESCRIPTION),
        full_description: Message::new(DESCRIPTION),
        // No page of its own: the project's page explains suppression comments.
        help_uri: Some(INFORMATION_URI.to_string()),
        help: Some(MultiformatMessage {
            text: DIRECTIVE_HELP,
            markdown: DIRECTIVE_HELP,
        }),
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags: &["maintainability"],
            precision: None,
            problem_severity: level(severity),
        },
    }
}

fn result(
    report: &FileReport,
    diagnostic: &Diagnostic,
    rule_index: usize,
    cwd: &Path,
) -> SarifResult {
    let artifact = artifact_location(&report.path, cwd);
    SarifResult {
        rule_id: diagnostic.rule,
        rule_index,
        level: level(diagnostic.severity),
        message: Message::new(diagnostic.message.clone()),
        locations: vec![Location {
            id: None,
            physical_location: physical_location(report, diagnostic.primary.span, &artifact),
            message: None,
            properties: None,
        }],
        related_locations: diagnostic
            .secondary
            .iter()
            .enumerate()
            .map(|(i, label)| Location {
                id: Some(i + 1),
                physical_location: physical_location(report, label.span, &artifact),
                message: (!label.message.is_empty()).then(|| Message::new(label.message.clone())),
                // The part it plays in the evidence chain (see the JSON report's `evidence`).
                properties: (label.role != Role::Context).then(|| LocationProperties {
                    role: label.role.as_str(),
                }),
            })
            .collect(),
        partial_fingerprints: None,
    }
}

fn notification(report: &FileReport, diagnostic: &Diagnostic, cwd: &Path) -> Notification {
    let artifact = artifact_location(&report.path, cwd);
    Notification {
        // Parse, read and internal errors are always errors; a skipped file is a note.
        level: diagnostic.level().as_str(),
        message: Message::new(format!("{}: {}", report.display_path(), diagnostic.message)),
        descriptor: Descriptor {
            id: diagnostic.rule,
        },
        locations: vec![Location {
            id: None,
            physical_location: physical_location(report, diagnostic.primary.span, &artifact),
            message: None,
            properties: None,
        }],
    }
}

fn physical_location(
    report: &FileReport,
    span: ByteSpan,
    artifact: &ArtifactLocation,
) -> PhysicalLocation {
    let region = report.source.is_some().then(|| {
        let range = Range::of(report, span);
        Region {
            start_line: range.line,
            start_column: range.column,
            end_line: range.end_line,
            end_column: range.end_column,
        }
    });
    PhysicalLocation {
        artifact_location: artifact.clone(),
        region,
    }
}

/// Where a file is: relative to `%SRCROOT%` when it is under `cwd`, an absolute `file://` URI
/// otherwise. Purely lexical; nothing on disk is consulted.
pub fn artifact_location(path: &Path, cwd: &Path) -> ArtifactLocation {
    let cwd = normalize(cwd);
    let absolute = normalize(&cwd.join(path));
    match absolute.strip_prefix(&cwd) {
        Ok(relative) if relative.components().next().is_some() => ArtifactLocation {
            uri: relative
                .components()
                .map(|component| encode_segment(component.as_os_str()))
                .collect::<Vec<_>>()
                .join("/"),
            uri_base_id: Some(SRCROOT),
        },
        _ => ArtifactLocation {
            uri: file_uri(&absolute, false),
            uri_base_id: None,
        },
    }
}

/// Removes `.` and resolves `..` lexically (`..` above the root stays at the root).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn encode_segment(segment: &std::ffi::OsStr) -> String {
    percent_encode(segment.as_encoded_bytes(), SEGMENT).to_string()
}

/// `file:///abs/path`, each segment percent-encoded; with a trailing `/` for directories.
fn file_uri(absolute: &Path, directory: bool) -> String {
    let mut uri = String::from("file://");
    let mut segments = Vec::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(prefix) => match prefix.kind() {
                Prefix::Disk(letter) | Prefix::VerbatimDisk(letter) => {
                    uri.push('/');
                    uri.push(char::from(letter));
                    uri.push(':');
                }
                Prefix::UNC(server, share) | Prefix::VerbatimUNC(server, share) => {
                    uri.push_str(&encode_segment(server));
                    uri.push('/');
                    uri.push_str(&encode_segment(share));
                }
                _ => {}
            },
            Component::Normal(segment) => segments.push(encode_segment(segment)),
            Component::RootDir | Component::CurDir | Component::ParentDir => {}
        }
    }
    uri.push('/');
    uri.push_str(&segments.join("/"));
    if directory && !segments.is_empty() {
        uri.push('/');
    }
    uri
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartialFingerprints {
    primary_location_line_hash: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<MultiformatMessage>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: &'static [&'static str],
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<&'static str>,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    descriptor: Descriptor,
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<PartialFingerprints>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<LocationProperties>,
}

#[derive(Serialize)]
struct LocationProperties {
    role: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

/// A SARIF `artifactLocation`: a URI, relative to `uriBaseId` when that is set.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use serde_json::{json, Value};

    fn render_value(reports: &[FileReport]) -> (String, Value) {
        let cwd = cwd();
        let totals = Totals::of(reports, reports.len());
        let out = render(reports, &totals, &options(&cwd));
        let value = serde_json::from_str(&out).expect("valid JSON");
        (out, value)
    }

    fn validator() -> jsonschema::Validator {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/sarif-schema-2.1.0.json"
        ))
        .expect("SARIF schema in tests/data");
        let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    }

    fn assert_valid(value: &Value) {
        let validator = validator();
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF does not match the schema:\n{}",
            errors.join("\n")
        );
    }

    #[test]
    fn validates_against_the_schema() {
        let mut reports = sample_reports();
        reports.push(unused_directive_report());
        let (out, value) = render_value(&reports);
        assert!(out.ends_with("}\n"));
        assert!(
            out.contains("\n  \"version\": \"2.1.0\""),
            "not pretty-printed"
        );
        assert_valid(&value);
        // The schema check is not vacuous.
        let mut broken = value.clone();
        broken["runs"][0]["results"][0]["level"] = json!("fatal");
        assert!(!validator().is_valid(&broken));

        let (_, empty) = render_value(&[]);
        assert_valid(&empty);
        assert_eq!(empty["runs"][0]["results"], json!([]));
    }

    #[test]
    fn header_and_driver() {
        let (_, value) = render_value(&[emoji_report("a.js")]);
        assert_eq!(value["$schema"], SCHEMA);
        assert_eq!(value["version"], "2.1.0");
        assert_eq!(value["runs"].as_array().unwrap().len(), 1);
        let run = &value["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "leaklint");
        assert_eq!(driver["version"], "1.2.3");
        assert_eq!(driver["semanticVersion"], "1.2.3");
        assert_eq!(driver["informationUri"], INFORMATION_URI);
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), all_rules().len());
        for (descriptor, meta) in rules.iter().zip(all_rules()) {
            assert_eq!(descriptor["id"], meta.id);
            assert_eq!(descriptor["name"], meta.name);
            assert_eq!(descriptor["shortDescription"]["text"], meta.description);
            assert_eq!(
                descriptor["fullDescription"]["text"],
                meta.full_description()
            );
            assert_eq!(descriptor["helpUri"], docs_url(meta.id));
            assert_eq!(descriptor["help"]["markdown"], meta.docs_body());
            assert_eq!(descriptor["help"]["text"], meta.docs_body());
            let level = meta.default_severity.as_str();
            assert_eq!(descriptor["defaultConfiguration"]["level"], level);
            assert_eq!(descriptor["properties"]["problem.severity"], level);
            assert_eq!(descriptor["properties"]["precision"], meta.precision);
            assert_eq!(descriptor["properties"]["tags"], json!(meta.tags));
        }
        assert_eq!(
            run["originalUriBaseIds"],
            json!({ "%SRCROOT%": { "uri": if cfg!(windows) { "file:///C:/work/proj/" } else { "file:///work/proj/" } } })
        );
    }

    #[test]
    fn result_location_and_region_on_the_emoji_line() {
        let (_, value) = render_value(&[emoji_report("src/my file/ü.js")]);
        let results = value["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        let result = &results[0];
        assert_eq!(result["ruleId"], RULE);
        assert_eq!(result["level"], "warning");
        assert_eq!(
            result["message"],
            json!({ "text": "interval is never cleared" })
        );
        let locations = result["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        assert_eq!(
            locations[0]["physicalLocation"],
            json!({
                "artifactLocation": { "uri": "src/my%20file/%C3%BC.js", "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": 1, "startColumn": 17, "endLine": 1, "endColumn": 40 }
            })
        );
        assert_eq!(
            result["relatedLocations"],
            json!([{
                "id": 1,
                "physicalLocation": {
                    "artifactLocation": { "uri": "src/my%20file/%C3%BC.js", "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": 1, "startColumn": 29, "endLine": 1, "endColumn": 33 }
                },
                "message": { "text": "callback defined here" }
            }])
        );
        assert!(result.get("suppressions").is_none());
    }

    #[test]
    fn related_locations_say_their_part_in_the_evidence() {
        use leaklint_diagnostics::{Label, Role};
        let mut report = emoji_report("a.js");
        let held = crate::test_support::span_of(crate::test_support::EMOJI_SOURCE, "tick");
        report.diagnostics[0]
            .secondary
            .push(Label::new(held, "held by the emitter").with_role(Role::Holder));
        let (_, value) = render_value(&[report]);
        let related = value["runs"][0]["results"][0]["relatedLocations"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(related.len(), 2);
        assert!(
            related[0].get("properties").is_none(),
            "context has no role"
        );
        assert_eq!(related[1]["properties"], json!({ "role": "holder" }));
        assert_eq!(related[1]["id"], 2);
    }

    #[test]
    fn rule_index_points_at_the_rule() {
        let reports = vec![emoji_report("a.js"), unused_directive_report()];
        let (_, value) = render_value(&reports);
        let run = &value["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
        // The directive rule comes after every real rule, once.
        let last = rules.last().unwrap();
        assert_eq!(last["id"], "unused-disable-directive");
        assert_eq!(last["name"], "UnusedDisableDirective");
        assert_eq!(last["defaultConfiguration"]["level"], "error");
        // GitHub code scanning requires `help` on every rule.
        assert!(last["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Remove the comment")));
        assert_eq!(rules.len(), all_rules().len() + 1);
        assert_eq!(results[1]["ruleIndex"], all_rules().len());
        assert_eq!(results[1]["level"], "error");

        // No directive findings: no directive rule.
        let (_, value) = render_value(&[emoji_report("a.js")]);
        let rules = value["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), all_rules().len());
    }

    #[test]
    fn parse_errors_are_notifications_not_results() {
        let (_, value) = render_value(&[parse_error_report(), emoji_report("a.js")]);
        let run = &value["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        assert!(results.iter().all(|r| r["ruleId"] != "parse-error"));
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true);
        let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notifications.len(), 1);
        assert_eq!(
            notifications[0],
            json!({
                "level": "error",
                "message": { "text": "src/broken.js: Expected a binding pattern" },
                "descriptor": { "id": "parse-error" },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": "src/broken.js", "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 6 }
                } }]
            })
        );
    }

    #[test]
    fn tool_errors_make_the_run_unsuccessful() {
        let (_, value) = render_value(&sample_reports());
        let run = &value["runs"][0];
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        let notifications = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notifications.len(), 2);
        let read = &notifications[1];
        assert_eq!(read["descriptor"]["id"], "read-error");
        assert_eq!(
            read["message"]["text"],
            "src/unreadable.js: stream did not contain valid UTF-8"
        );
        // No text, so no region.
        assert_eq!(
            read["locations"][0]["physicalLocation"],
            json!({ "artifactLocation": { "uri": "src/unreadable.js", "uriBaseId": "%SRCROOT%" } })
        );
        assert_eq!(run["results"].as_array().unwrap().len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn uris_relative_to_cwd_or_absolute() {
        let cwd = Path::new("/work/proj");
        let location = |path: &str| artifact_location(Path::new(path), cwd);
        let relative = |uri: &str| ArtifactLocation {
            uri: uri.into(),
            uri_base_id: Some(SRCROOT),
        };
        let absolute = |uri: &str| ArtifactLocation {
            uri: uri.into(),
            uri_base_id: None,
        };
        assert_eq!(
            location("src/my file/ü.js"),
            relative("src/my%20file/%C3%BC.js")
        );
        assert_eq!(location("./src/./a.js"), relative("src/a.js"));
        assert_eq!(
            location("/work/proj/lib/x+y#z?.ts"),
            relative("lib/x%2By%23z%3F.ts")
        );
        assert_eq!(
            location("lib/../src/a~b_c-d.js"),
            relative("src/a~b_c-d.js")
        );
        assert_eq!(
            location("../other/a.js"),
            absolute("file:///work/other/a.js")
        );
        assert_eq!(
            location("/work/project/a.js"),
            absolute("file:///work/project/a.js")
        );
        assert_eq!(
            location("/tmp/é x.js"),
            absolute("file:///tmp/%C3%A9%20x.js")
        );
        assert_eq!(
            artifact_location(Path::new("a.js"), Path::new("/work/my proj/./")).uri,
            "a.js"
        );
        assert_eq!(
            file_uri(Path::new("/work/my proj"), true),
            "file:///work/my%20proj/"
        );
        assert_eq!(file_uri(Path::new("/"), true), "file:///");
    }

    #[test]
    fn unknown_findings_are_left_out() {
        let mut report = emoji_report("a.js");
        report.diagnostics[0].rule = "no-such-rule";
        let (_, value) = render_value(&[report]);
        assert_eq!(value["runs"][0]["results"], json!([]));
        assert!(value["runs"][0]["invocations"][0]
            .get("toolExecutionNotifications")
            .is_none());
    }

    #[test]
    fn writes_a_sample_when_asked() {
        // `LEAKLINT_SARIF_SAMPLE=/tmp/sample.sarif cargo test -p leaklint_report` writes the
        // sample log, for checking with external SARIF validators.
        if let Some(path) = std::env::var_os("LEAKLINT_SARIF_SAMPLE") {
            let mut reports = sample_reports();
            reports.push(unused_directive_report());
            let cwd = std::env::current_dir().unwrap();
            let totals = Totals::of(&reports, reports.len());
            let out = render(&reports, &totals, &options(&cwd));
            std::fs::write(path, out).unwrap();
        }
    }
}
