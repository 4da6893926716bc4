#!/usr/bin/env python3
"""Run the codec micro-benchmarks under callgrind and gate them on instructions per message.

Callgrind counts instructions, not seconds, so the figures repeat on a noisy shared machine.
Prints one line per case in a stable format a script can compare:

    codec <case> <instructions per message>

and fails (exit 1) when a case costs more than 5% above bench/codec_baseline.txt, or when a
case misses its absolute target (issue #13: poll decode with copy-out, no verification, at most
120 per 100-byte message; encode with both checksums at most 350).

    codec_gate.py --bin BUILD/bin/bench_codec [--baseline FILE] [--update] [--rounds N]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

TARGETS = {"poll_decode_100": 120.0, "encode_100": 350.0}
TOLERANCE = 1.05


def measure(binary, case, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             "--callgrind-out-file=" + out, binary, case, "--rounds", str(rounds)],
            capture_output=True, text=True, check=False)
        if run.returncode != 0:
            sys.exit("%s failed:\n%s%s" % (case, run.stdout, run.stderr))
        messages = int(re.search(r"messages (\d+)", run.stdout).group(1))
        with open(out) as f:
            totals = [l for l in f if l.startswith(("totals:", "summary:"))]
        return int(totals[0].split()[1]) / messages


def read_baseline(path):
    base = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "codec":
                    base[parts[1]] = float(parts[2])
    return base


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--baseline", default=os.path.join(here, "codec_baseline.txt"))
    ap.add_argument("--update", action="store_true", help="write the figures as the baseline")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()

    cases = subprocess.run([args.bin, "--list"], capture_output=True, text=True,
                           check=True).stdout.split()
    base = read_baseline(args.baseline)
    lines, failures = [], []
    for case in cases:
        per = measure(args.bin, case, args.rounds)
        lines.append("codec %s %.1f" % (case, per))
        print(lines[-1], flush=True)
        if case in base and per > base[case] * TOLERANCE:
            failures.append("%s: %.1f instructions per message, baseline %.1f (+%.1f%%)"
                            % (case, per, base[case], (per / base[case] - 1) * 100))
        if case in TARGETS and per > TARGETS[case]:
            failures.append("%s: %.1f instructions per message, target at most %.0f"
                            % (case, per, TARGETS[case]))
    if args.update:
        with open(args.baseline, "w") as f:
            f.write("# codec instructions per message (bench/codec_gate.py --update)\n")
            f.write("\n".join(lines) + "\n")
        print("baseline written to %s" % args.baseline)
    for msg in failures:
        print("REGRESSION " + msg, file=sys.stderr)
    return 1 if failures and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
