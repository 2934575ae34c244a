//! Writes the benchmark's single-file input (`bench/run.sh` runs this ignored test): a generated
//! 5,000-line service, the same generator the language-server benchmark uses.

#[path = "support/service_source.rs"]
mod service_source;

#[test]
#[ignore = "run by bench/run.sh"]
fn write_5000_line_service() {
    let path = std::env::var("LEAKLINT_BENCH_OUT").expect("LEAKLINT_BENCH_OUT names the file");
    let source = service_source::service_source(5_000);
    assert!(source.lines().count() >= 5_000);
    std::fs::write(path, source).unwrap();
}
