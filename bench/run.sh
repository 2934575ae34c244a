#!/usr/bin/env bash
# leaklint's speed and memory, as ratios measured side by side in one run:
#   - against the floor: walk + read + parse + semantic and nothing else (bench/floor), the least
#     any oxc-based linter must do on the same files; and, for reference, against the floor with
#     the semantic model's node store (`floor --nodes`), which any linter whose rules look at
#     nodes and their parents (oxlint, leaklint) builds too;
#   - against oxlint 1.94 with one rule (the speed anchor of the JS tooling world);
#   - one 5,000-line file, process start to exit;
#   - where leaklint's time goes: leaklint with every rule off (walk, read, nesting estimate,
#     parse; no semantic model), leaklint with the allocator's 4 KiB pages
#     (`LEAKLINT_HUGE_PAGES=0`, as the floor runs) and the floor's `--parse-only` split the total
#     into parts.
# Usage: bench/run.sh [RUNS]   (default 7). Needs cargo, npm and python3; builds what it uses.
# Environment: CORPUS (default target/bench/corpus), PEERS (default target/bench/peers).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
work=target/bench
corpus=${CORPUS:-$work/corpus}
peers=${PEERS:-$work/peers}
mkdir -p "$work"

echo "== building leaklint (release) and the floor" >&2
cargo build --release --locked --quiet
CARGO_TARGET_DIR="$PWD/$work" cargo build --release --locked --quiet \
    --manifest-path bench/floor/Cargo.toml
leaklint=$PWD/target/release/leaklint
floor=$PWD/$work/release/floor

echo "== corpus: the published sources of 20 pinned npm packages" >&2
packages=(express@4.21.2 koa@2.15.3 fastify@5.2.1 socket.io@4.8.1 ws@8.18.0 mysql2@3.12.0
  pg@8.13.1 knex@3.1.0 sequelize@6.37.5 typeorm@0.3.20 ioredis@5.4.2 mongoose@8.9.5
  @nestjs/core@10.4.15 typescript@5.7.3 webpack@5.97.1 eslint@9.18.0 prettier@3.4.2
  rxjs@7.8.1 bullmq@5.34.10 undici@7.2.3)
bench/npm-sources.sh "$corpus" "${packages[@]}"
# oxlint honours the enclosing repository's .gitignore, which ignores target/: under it, oxlint
# found no file at all and "ran" in 0.1 s. A `.git` marker makes the corpus a repository of its
# own, as an unpacked project is.
mkdir -p "$corpus/.git"

echo "== oxlint 1.94.0" >&2
if [ ! -x "$peers/node_modules/.bin/oxlint" ]; then
    mkdir -p "$peers"
    (cd "$peers" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --silent --no-audit --no-fund oxlint@1.94.0 >/dev/null)
fi
oxlint=$(cd "$peers" && pwd)/node_modules/.bin/oxlint

one_file=$PWD/$work/one-file/service.js
if [ ! -f "$one_file" ]; then
    mkdir -p "$(dirname "$one_file")"
    LEAKLINT_BENCH_OUT=$one_file cargo test --locked --quiet --test bench_input -- --ignored \
        >/dev/null
fi

# Every rule off: what leaklint does before any rule runs.
no_rules=$PWD/$work/no-rules.json
"$leaklint" rules | awk 'BEGIN { printf "{\"rules\": {" } { printf "%s\"%s\": \"off\"", (NR > 1 ? ", " : ""), $1 } END { print "}}" }' >"$no_rules"

echo "== $runs alternating runs" >&2
python3 - "$runs" "$floor" "$leaklint" "$oxlint" "$corpus" "$one_file" "$no_rules" <<'PY'
import os, statistics, sys

sys.path.insert(0, "bench")
import ab

runs, floor, leaklint, oxlint, corpus, one_file, no_rules = sys.argv[1:]
# leaklint runs right after the floor in every round: the machine's speed drifts over seconds, and
# each round's own ratio is taken from two runs next to each other.
commands = {
    "floor": [floor, corpus],
    "leaklint": [leaklint, "--no-default-ignores", "-f", "json", "-o", "/dev/null", corpus],
    "floor+nodes": [floor, corpus, "--nodes"],
    "floor parse": [floor, corpus, "--parse-only"],
    "ll no rules": [leaklint, "--no-default-ignores", "-f", "json", "-o", "/dev/null",
                    "-c", no_rules, corpus],
    "ll 4k pages": [leaklint, "--no-default-ignores", "-f", "json", "-o", "/dev/null", corpus],
    "oxlint": [oxlint, "-A", "all", "-D", "no-unused-vars", "--ignore-pattern", "*.d.ts",
               "-f", "json", corpus],
    "one-file": [leaklint, "-f", "json", one_file],
}

# leaklint with the allocator's transparent huge pages left off (see src/huge_pages.rs) shows what
# they are worth; the split of leaklint's time into parts uses it too, so that each part is
# measured the way the floor runs and the huge pages are a part of their own.
four_k = {**os.environ, "LEAKLINT_HUGE_PAGES": "0"}
environments = {"ll 4k pages": four_k, "ll no rules": four_k}

def measure(name, command):
    """Wall seconds and peak RSS (KiB) of one run."""
    wall, _, rss, _ = ab.run(command, environments.get(name))
    return wall, rss

samples = {name: [] for name in commands}
for _ in range(int(runs)):
    for name, command in commands.items():
        samples[name].append(measure(name, command))
med = {name: (statistics.median(w for w, _ in v), statistics.median(r for _, r in v))
       for name, v in samples.items()}
print(f"medians of {runs} alternating runs, {os.cpu_count()} cores")
for name in ["floor", "floor+nodes", "leaklint", "ll 4k pages", "oxlint", "one-file",
             "floor parse", "ll no rules"]:
    wall, rss = med[name]
    print(f"  {name:11} {wall * 1000:7.0f} ms  {rss / 1024:6.0f} MiB peak RSS")
fl, lw, ox = med["floor"], med["leaklint"], med["oxlint"]

def paired(a, b):
    """The median over the rounds of each round's own wall-time ratio a / b."""
    return statistics.median(x[0] / y[0] for x, y in zip(samples[a], samples[b]))

print(f"leaklint / floor   wall {lw[0] / fl[0]:.2f}x (target <= 1.25; each round's own: "
      f"{paired('leaklint', 'floor'):.2f}x)   peak RSS {lw[1] / fl[1]:.2f}x (target <= 1.30)")
print(f"leaklint / oxlint  wall {lw[0] / ox[0]:.2f}x (target <= 0.60; each round's own: "
      f"{paired('leaklint', 'oxlint'):.2f}x)")
fn_ = med["floor+nodes"]
print(f"for reference: floor+nodes / floor wall {fn_[0] / fl[0]:.2f}x; "
      f"leaklint / floor+nodes wall {lw[0] / fn_[0]:.2f}x; "
      f"leaklint with 4 KiB pages / floor wall {med['ll 4k pages'][0] / fl[0]:.2f}x")
print(f"one 5,000-line file, start to exit: {med['one-file'][0] * 1000:.1f} ms median "
      f"(target <= 30)")
fp, nr, l4 = med["floor parse"], med["ll no rules"], med["ll 4k pages"]
parts = [
    ("walk, read, parse (floor --parse-only)", fp[0]),
    ("leaklint's read checks and nesting estimate (every rule off, minus the above)",
     nr[0] - fp[0]),
    ("semantic model (floor, minus floor --parse-only)", fl[0] - fp[0]),
    ("node store (floor+nodes, minus floor)", fn_[0] - fl[0]),
    ("rules and the lifetime model (the rest, with 4 KiB pages)",
     l4[0] - nr[0] - (fn_[0] - fp[0])),
    ("transparent huge pages (leaklint, minus leaklint with 4 KiB pages)", lw[0] - l4[0]),
]
print("where leaklint's wall time goes, as fractions of the floor's:")
for label, wall in parts:
    print(f"  {wall / fl[0]:+.2f}  {label}")
PY
