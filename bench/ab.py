#!/usr/bin/env python3
"""Side-by-side comparison of commands: runs them alternately and prints, for each, the median
wall time, CPU time (user + system), peak RSS and minor page faults, with the wall and CPU
ratios to the first command. For telling whether a change to leaklint is faster: the machines
these run on are shared and noisy, and only many alternating rounds separate a few percent from
the drift.

Usage: bench/ab.py ROUNDS NAME=COMMAND [NAME=COMMAND ...]
  A COMMAND may start with environment settings before a `|`: `NAME=VAR=value;VAR2=value|cmd`.
  Arguments are split on white space.

Example (a build saved before a change, against the current one):
  bench/ab.py 25 "before=/tmp/leaklint-before -f json -o /dev/null target/bench/corpus" \\
                 "after=target/release/leaklint -f json -o /dev/null target/bench/corpus"
"""
import os
import statistics
import subprocess
import sys
import time


def parse(spec):
    name, rest = spec.split("=", 1)
    env = dict(os.environ)
    if "|" in rest:
        settings, rest = rest.split("|", 1)
        for setting in settings.split(";"):
            key, value = setting.split("=", 1)
            env[key] = value
    return name, rest.split(), env


def run(command, env=None):
    """Wall seconds, CPU seconds, peak RSS (KiB) and minor faults of one run, from its own
    rusage; exits when the command fails (exit codes 0 and 1 are a linter's success)."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=null, stderr=null, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{command[0]} failed with {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, usage.ru_minflt


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = [parse(spec) for spec in sys.argv[2:]]
    samples = {name: [] for name, _, _ in commands}
    for _ in range(rounds):
        for name, command, env in commands:
            samples[name].append(run(command, env))
    medians = {
        name: [statistics.median(sample[i] for sample in runs) for i in range(4)]
        for name, runs in samples.items()
    }
    base_wall, base_cpu = medians[commands[0][0]][:2]
    print(f"medians of {rounds} alternating rounds, {os.cpu_count()} cores")
    for name, _, _ in commands:
        wall, cpu, rss, faults = medians[name]
        print(
            f"  {name:12} wall {wall * 1000:7.0f} ms ({wall / base_wall:.2f}x)"
            f"  cpu {cpu * 1000:7.0f} ms ({cpu / base_cpu:.2f}x)"
            f"  peak RSS {rss / 1024:5.0f} MiB  minor faults {faults:7.0f}"
        )


if __name__ == "__main__":
    main()
