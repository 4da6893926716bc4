#!/usr/bin/env python3
"""Peers side by side: libiggy's bench and the official SDKs' benchmarks against one server.

    compare.py [--server HOST:PORT] [--build-dir BUILD] [--out DIR] [--runs 5]
               [--sizes 100,1000] [--messages-per-batch 1000] [--batches 1000]
               [--scenarios produce,consume] [--client-cpu N] [--settle SECONDS] [--smoke]

Tools (each one producer or one consumer on partition 0 of bench-stream-1/topic-1, BENCHMARKS.md
section 1; -P messages per batch, -b batches, -m bytes per message):
  ours        BUILD/bin/iggy-c-bench (iggy-bench's CLI: pinned-producer -p 1 / pinned-consumer
              -c 1); when it is not built, BUILD/bin/bench_producer / bench_consumer instead
              (a background producer and the high-level consumer; said in the table header)
  iggy-bench  the Rust SDK's iggy-bench, from IGGY_BENCH_BIN (skipped when unset)
  go-sdk      bench/peers/go (iggy-go-peer pp/pc) built against IGGY_GO_SDK (skipped when unset)
  python-sdk  bench/peers/python/bench.py in a venv with PyPI apache-iggy (tests/interop/setup.sh)

Without --server the bundled mock (BUILD/bin/iggy-mock-server) is started on an ephemeral
loopback port. For every message size and scenario the tools run alternately, --runs times each
(at least 5; --smoke: 1 run of tiny sizes), the order rotated every round (A B C, B C A, C A B,
...) so that no tool always follows the same one. Every run, the seeding one included, starts
after --settle seconds of quiet (default 3 against a server, 0.5 against the mock, 0 with
--smoke): a real server is still busy with the previous run's data for a second or two after it
ends, and a 1 KB producer started at once stalls ~5 ms on every other batch of its last ~150,
whichever client it is (docs/BENCHMARKING.md). Consumers read data that exists:
before the consume rounds of a size one unmeasured pinned-producer run (iggy-bench, else ours,
else Go, else Python) fills bench-stream-1, and every consumer reads it from offset 0.

Measured the same way for every tool: the child's user and system CPU from os.wait4 (the whole
process: start-up, connect, setup, the timed loop and reporting), per million messages moved.
Throughput is messages (and payload bytes) over the timed span each tool reports (first send or
poll to the last reply); p50/p99 are the tool's per-batch RTT percentiles. Ratios ours/this are
medians over the pairs of runs of one round.

Writes OUT/peers.md (the Markdown table), OUT/peers.png (matplotlib, pip-installed into a venv
under BUILD/peers), OUT/results.json (every run) and OUT/logs/ (each run's output).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from mock_server import MockServer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_TIMEOUT = 900
STREAM, TOPIC = "bench-stream-1", "topic-1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Failure(Exception):
    pass


def note(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- the server

class Server:
    def __init__(self, args):
        self.mock = None
        self.user = os.environ.get("IGGY_USERNAME") or "iggy"
        self.password = os.environ.get("IGGY_PASSWORD") or "iggy"
        if args.server:
            self.addr, self.kind = args.server, f"server at {args.server}"
            return
        try:
            self.mock = MockServer(os.path.join(args.build_dir, "bin"), self.user, self.password)
        except RuntimeError as e:
            raise Failure(f"{e} (or pass --server HOST:PORT)")
        self.addr = self.mock.addr
        self.kind = f"libiggy's bundled mock (iggy-mock-server) at {self.addr}"

    def stop(self):
        if self.mock:
            self.mock.stop()
            self.mock = None


# ---------------------------------------------------------------- output parsers

def parse_json_line(out):
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            d = json.loads(line)
            return {"messages": d["messages"], "bytes": d["bytes"], "seconds": d["seconds"],
                    "p50_ms": d["p50_ms"], "p99_ms": d["p99_ms"],
                    "reported_user_cpu_s": d.get("user_cpu_s"),
                    "reported_sys_cpu_s": d.get("sys_cpu_s")}
    raise Failure("no JSON result line")


def log_time(line):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    if not m:
        return None
    stamp = m.group(1)
    whole, frac = stamp.split(".")
    t = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return t.timestamp() + float("0." + frac)


def parse_bench_cli(out, kind, size):
    """iggy-bench's stdout (and iggy-c-bench's, which copies it): the 'Producers Results:' or
    'Consumers Results:' summary. The timed span is 'total time' (2 decimals), refined from the
    microsecond log stamps of the actor's 'sending/polling ... using' and 'finished sending' /
    'polled' lines when those agree with it."""
    text = ANSI.sub("", out)
    prefix = "Producers Results:" if kind == "produce" else "Consumers Results:"
    summary = next((ln for ln in text.splitlines() if ln.startswith(prefix)), None)
    if summary is None:
        raise Failure(f"no '{prefix}' line")

    def num(pattern):
        m = re.search(pattern, summary)
        if not m:
            raise Failure(f"'{pattern}' not in the summary line")
        return float(m.group(1))

    res = {"reported_mb_per_s": num(r"Total throughput: ([\d.]+) MB/s"),
           "reported_messages_per_s": num(r"MB/s, ([\d.]+) messages/s"),
           "p50_ms": num(r"p50 latency: ([\d.]+) ms"), "p99_ms": num(r"p99 latency: ([\d.]+) ms")}
    total = num(r"total time: ([\d.]+) s")
    m = re.search(r"Benchmark: .*?, (\d+) messages,", text)
    res["messages"] = int(m.group(1)) if m else None
    begin = end = None
    actor = "Producer #1" if kind == "produce" else "Consumer #1"
    for ln in text.splitlines():
        if actor in ln and " using " in ln and ("sending" in ln or "polling" in ln):
            begin = log_time(ln)
        elif actor in ln and ("finished sending" in ln or "polled" in ln):
            end = log_time(ln) if end is None else end
    res["seconds"], res["seconds_source"] = total, "total time"
    if begin is not None and end is not None and abs((end - begin) - total) <= 0.0075:
        res["seconds"], res["seconds_source"] = end - begin, "log stamps"
    if res["seconds"] <= 0:
        # A run shorter than the 2-decimal total (smoke sizes) without log stamps: the tool's
        # own messages/s is the best figure there is.
        res["messages_per_s_direct"] = res["reported_messages_per_s"]
        res["seconds_source"] = "reported messages/s"
    return res


def parse_fallback(out, kind, size):
    """bench_producer / bench_consumer: 'run 1: N messages/s, client CPU X us/message,
    A allocations/message|poll' (measured after a 10 % warm-up, no latency)."""
    m = re.search(r"run 1: ([\d.]+) messages/s, client CPU ([\d.]+) us/message, ([\d.]+) "
                  r"allocations/(message|poll)", out)
    if not m:
        raise Failure("no 'run 1:' line")
    rate = float(m.group(1))
    return {"messages_per_s_direct": rate, "p50_ms": None, "p99_ms": None,
            "allocs": float(m.group(3)), "allocs_unit": m.group(4)}


# ---------------------------------------------------------------- tools

class Tool:
    """name, argv(kind, size) -> list, parse(out, kind, size) -> dict"""

    def __init__(self, name, label, argv, parse, env=None, can_seed=True):
        self.name, self.label, self._argv, self.parse = name, label, argv, parse
        self.env, self.can_seed = env or {}, can_seed

    def argv(self, kind, size, cfg):
        return self._argv(kind, size, cfg)


def bench_cli_argv(binary, credentials):
    def argv(kind, size, cfg):
        globs = ["-m", str(size), "-P", str(cfg.P), "-b", str(cfg.B)] + credentials
        actor = ["pinned-producer", "-p", "1"] if kind == "produce" else \
            ["pinned-consumer", "-c", "1"]
        return [binary] + globs + actor + ["tcp", "--server-address", cfg.addr]
    return argv


def discover_tools(args, server, cfg):
    tools, notes, skipped = [], [], []
    bin_dir = os.path.join(args.build_dir, "bin")
    creds = [] if (server.user, server.password) == ("iggy", "iggy") else \
        ["-u", server.user, "-p", server.password]
    cbench = os.path.join(bin_dir, "iggy-c-bench")
    if os.access(cbench, os.X_OK):
        tools.append(Tool("ours", "libiggy iggy-c-bench", bench_cli_argv(cbench, creds),
                          parse_bench_cli))
        notes.append("ours = `iggy-c-bench` (libiggy, iggy-bench's CLI)")
    else:
        prod, cons = (os.path.join(bin_dir, n) for n in ("bench_producer", "bench_consumer"))
        if not (os.access(prod, os.X_OK) and os.access(cons, os.X_OK)):
            raise Failure(f"neither {cbench} nor bench_producer/bench_consumer is built")

        def fallback_argv(kind, size, cfg):
            n = str(cfg.P * cfg.B)
            if kind == "produce":
                return [prod, "--messages", n, "--runs", "1", "--size", str(size),
                        "--per-send", str(cfg.P)]
            extra = ["--stream", STREAM, "--topic", TOPIC] if cfg.seeded else []
            return [cons, "--messages", n, "--runs", "1", "--size", str(size),
                    "--batch", str(cfg.P)] + extra

        tools.append(Tool("ours", "libiggy bench_producer/bench_consumer", fallback_argv,
                          parse_fallback, can_seed=False))
        notes.append("**ours = the fallback `bench_producer` / `bench_consumer`**: "
                     "`build/bin/iggy-c-bench` is not built. They are not pp/pc-shaped: the "
                     "producer is libiggy's background producer fed -P messages per "
                     "`iggy_producer_send`, the consumer is the high-level consumer (partition "
                     "0, offset, auto-commit off, -P per poll). Their rate is measured after a "
                     "10 % warm-up and they report no latency; CPU is still the whole process's")
    rust = os.environ.get("IGGY_BENCH_BIN")
    if rust and os.access(rust, os.X_OK):
        tools.append(Tool("iggy-bench", "iggy-bench (Rust SDK)", bench_cli_argv(rust, creds),
                          parse_bench_cli))
    elif rust:
        skipped.append(f"iggy-bench: IGGY_BENCH_BIN={rust} is not executable")
    else:
        skipped.append("iggy-bench: IGGY_BENCH_BIN is not set")
    peers_dir = os.path.join(args.build_dir, "peers")
    if os.environ.get("IGGY_GO_SDK"):
        note(f"=== building the Go SDK peer against IGGY_GO_SDK={os.environ['IGGY_GO_SDK']}")
        r = subprocess.run([os.path.join(HERE, "go", "build.sh"), os.path.join(peers_dir, "go")],
                           capture_output=True, text=True, timeout=RUN_TIMEOUT)
        if r.returncode != 0:
            raise Failure(f"cannot build bench/peers/go:\n{r.stdout}{r.stderr}")
        gobin = os.path.join(peers_dir, "go", "iggy-go-peer")

        def go_argv(kind, size, cfg):
            return [gobin, "pp" if kind == "produce" else "pc", "-m", str(size), "-P", str(cfg.P),
                    "-b", str(cfg.B), "--server-address", cfg.addr]
        tools.append(Tool("go-sdk", "Go SDK (bench/peers/go)", go_argv,
                          lambda out, kind, size: parse_json_line(out)))
    else:
        skipped.append("go-sdk: IGGY_GO_SDK is not set (a local checkout of apache/iggy "
                       "foreign/go; docs/BENCHMARKING.md)")
    r = subprocess.run([os.path.join(ROOT, "tests", "interop", "setup.sh"), peers_dir, "python"],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    venv_py = os.path.join(peers_dir, "venv", "bin", "python")
    if r.returncode == 0 and os.access(venv_py, os.X_OK):
        script = os.path.join(HERE, "python", "bench.py")

        def py_argv(kind, size, cfg):
            return [venv_py, script, "pp" if kind == "produce" else "pc", "-m", str(size),
                    "-P", str(cfg.P), "-b", str(cfg.B), "--server-address", cfg.addr]
        tools.append(Tool("python-sdk", "Python SDK apache-iggy (bench/peers/python)", py_argv,
                          lambda out, kind, size: parse_json_line(out)))
    else:
        why = (r.stderr.strip().splitlines() or ["setup failed"])[-1]
        skipped.append(f"python-sdk: no venv with apache-iggy ({why})")
    return tools, notes, skipped


# ---------------------------------------------------------------- running one child

def rotated(items, k):
    """items rotated left by k: round k+1's running order."""
    if not items:
        return items
    k %= len(items)
    return items[k:] + items[:k]


def run_child(argv, env, log_path, cpu):
    """Runs argv to completion; returns (exit status, rusage, wall seconds, output)."""
    def pin():
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
    with open(log_path, "w+") as log:
        log.write("$ " + " ".join(argv) + "\n")
        log.flush()
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=pin)
        killer = threading.Timer(RUN_TIMEOUT, os.kill, (proc.pid, signal.SIGKILL))
        killer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)  # the child's own rusage
        finally:
            killer.cancel()
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        log.seek(0)
        out = log.read()
    return os.waitstatus_to_exitcode(status), ru, wall, out


def measure(tool, kind, size, cfg, server, log_dir, tag, cpu):
    time.sleep(cfg.settle)  # the server is done with the previous run's data
    env = dict(os.environ, IGGY_ADDR=cfg.addr, IGGY_USERNAME=server.user,
               IGGY_PASSWORD=server.password, **tool.env)
    argv = tool.argv(kind, size, cfg)
    log_path = os.path.join(log_dir, f"{tag}.log")
    code, ru, wall, out = run_child(argv, env, log_path, cpu)
    if code != 0:
        raise Failure(f"{tool.name} {kind} {size} B exited {code}; see {log_path}:\n"
                      f"{out[-3000:]}")
    try:
        res = tool.parse(out, kind, size)
    except Failure as e:
        raise Failure(f"{tool.name} {kind} {size} B: {e}; see {log_path}")
    messages = res.get("messages") or cfg.P * cfg.B
    res["messages"] = messages
    if "messages_per_s_direct" in res:
        res["messages_per_s"] = res.pop("messages_per_s_direct")
        res["seconds"] = messages / res["messages_per_s"]
    else:
        res["messages_per_s"] = messages / res["seconds"]
    res["mb_per_s"] = res["messages_per_s"] * size / 1e6
    res.update(user_cpu_s=ru.ru_utime, sys_cpu_s=ru.ru_stime, wall_s=wall,
               max_rss_kb=ru.ru_maxrss, argv=argv, log=log_path)
    res["user_s_per_M"] = ru.ru_utime / messages * 1e6
    res["sys_s_per_M"] = ru.ru_stime / messages * 1e6
    if "allocs" in res:  # ours, fallback: per message (producer) or per poll (consumer)
        res["allocs_per_rpc"] = res["allocs"] * cfg.P if res["allocs_unit"] == "message" \
            else res["allocs"]
    return res


# ---------------------------------------------------------------- aggregation and table

METRICS = [("messages_per_s", "msg/s", "{:,.0f}"), ("mb_per_s", "MB/s", "{:.1f}"),
           ("p50_ms", "p50 ms", "{:.3f}"), ("p99_ms", "p99 ms", "{:.3f}"),
           ("user_s_per_M", "user CPU s/M msg", "{:.3f}"),
           ("sys_s_per_M", "sys CPU s/M msg", "{:.3f}")]


def spread(values, fmt):
    vals = [v for v in values if v is not None]
    if not vals:
        return "n/a"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(vals))}–{fmt.format(max(vals))})"


def paired_ratio(ours, theirs, key, invert=False):
    """Median over rounds of ours/theirs for one metric (pairs of the same round)."""
    by_round = {r["round"]: r for r in theirs}
    ratios = []
    for o in ours:
        t = by_round.get(o["round"])
        if t is None:
            continue
        a, b = (o.get(key), t.get(key)) if not callable(key) else (key(o), key(t))
        if a is None or b is None or not b:
            continue
        ratios.append(a / b)
    return f"{statistics.median(ratios):.2f}" if ratios else "n/a"


def cpu_total(r):
    return r["user_s_per_M"] + r["sys_s_per_M"]


def scenario_name(kind, size):
    unit = f"{size // 1000} KB" if size >= 1000 and size % 1000 == 0 else f"{size} B"
    return f"{kind} {unit}"


def write_table(path, results, tools, cfg, server, notes, skipped, args):
    lines = []
    w = lines.append
    w("# Peers side by side")
    w("")
    host = platform.node()
    cpu_model = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu_model = next((ln.split(":", 1)[1].strip() for ln in f
                              if ln.startswith("model name")), "")
    except OSError:
        pass
    w(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; host "
      f"{host}, {os.cpu_count()} CPUs ({cpu_model}), Linux {platform.release()}")
    w(f"- server: {server.kind}")
    w(f"- {cfg.runs} run(s) per tool and scenario, alternating "
      f"{' '.join(t.name for t in tools)}, the order rotated every round, each run after "
      f"{args.settle:g} s of quiet; -P {cfg.P} messages per batch, -b {cfg.B} "
      f"batches, one producer or consumer, partition 0 of {STREAM}/{TOPIC}"
      + (f"; clients pinned to CPU {args.client_cpu}" if args.client_cpu is not None else "")
      + ("; **smoke run: tiny sizes, not a measurement**" if args.smoke else ""))
    for n in notes:
        w(f"- {n}")
    w("- tools: " + "; ".join(f"`{t.name}` = {t.label}" for t in tools))
    for s in skipped:
        w(f"- SKIPPED {s}")
    w("- consume scenarios read data written by one unmeasured pinned-producer run of "
      f"`{cfg.seed_tool or 'none (ours fills its own topic: its CPU includes that)'}` "
      "just before their rounds")
    w("- msg/s and MB/s: messages and payload bytes over the timed span each tool reports "
      "(first send/poll to the last reply; iggy-bench style tools: `total time`, refined from "
      "their microsecond log stamps); p50/p99: the tool's per-batch send/poll RTT; CPU: the "
      "child's rusage from `os.wait4` (whole process, start-up included) per million messages; "
      "allocs/RPC: libiggy's allocator hook where the tool reports it; ratios: median over "
      "rounds of ours/this in the same round. Cells: median (min–max)")
    w("")
    head = ["scenario", "tool"] + [m[1] for m in METRICS] + \
        ["allocs/RPC", "ours/this msg/s", "ours/this p99", "ours/this CPU"]
    w("| " + " | ".join(head) + " |")
    w("|" + "---|" * len(head))
    for (kind, size) in cfg.scenarios:
        ours = [r for r in results if r["tool"] == "ours" and r["kind"] == kind
                and r["size"] == size]
        for t in tools:
            rs = [r for r in results if r["tool"] == t.name and r["kind"] == kind
                  and r["size"] == size]
            if not rs:
                continue
            cells = [scenario_name(kind, size), t.name]
            cells += [spread([r.get(k) for r in rs], fmt) for k, _, fmt in METRICS]
            al = [r["allocs_per_rpc"] for r in rs if r.get("allocs_per_rpc") is not None]
            cells.append(f"{statistics.median(al):.2f}" if al else "n/a")
            if t.name == "ours":
                cells += ["—", "—", "—"]
            else:
                cells += [paired_ratio(ours, rs, "messages_per_s"),
                          paired_ratio(ours, rs, "p99_ms"), paired_ratio(ours, rs, cpu_total)]
            w("| " + " | ".join(cells) + " |")
    w("")
    w("Commands (first round):")
    w("")
    seen = set()
    for r in results:
        key = (r["tool"], r["kind"], r["size"])
        if r["round"] == 1 and key not in seen:
            seen.add(key)
            w(f"- `{' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(r['argv']))}`")
    w("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


# ---------------------------------------------------------------- chart (runs in the plot venv)

def plot(results_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(results_path) as f:
        data = json.load(f)
    results, tools = data["results"], data["tools"]
    scenarios = [tuple(s) for s in data["scenarios"]]
    panels = [("messages_per_s", "messages/s"), ("p99_ms", "p99 latency, ms"),
              ("cpu_per_M", "client CPU s per M messages (user+sys)")]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.8))
    width = 0.8 / max(1, len(tools))
    for ax, (key, title) in zip(axes, panels):
        for i, tool in enumerate(tools):
            meds, lows, highs, xs = [], [], [], []
            for j, (kind, size) in enumerate(scenarios):
                vals = []
                for r in results:
                    if r["tool"] == tool and r["kind"] == kind and r["size"] == size:
                        v = r["user_s_per_M"] + r["sys_s_per_M"] if key == "cpu_per_M" \
                            else r.get(key)
                        if v is not None:
                            vals.append(v)
                if not vals:
                    continue
                med = statistics.median(vals)
                xs.append(j + (i - (len(tools) - 1) / 2) * width)
                meds.append(med)
                lows.append(med - min(vals))
                highs.append(max(vals) - med)
            if xs:
                ax.bar(xs, meds, width, yerr=[lows, highs], capsize=3, label=tool,
                       color=f"C{i}")
            else:
                ax.bar([], [], width, label=f"{tool} (n/a)", color=f"C{i}")
        ax.set_xticks(range(len(scenarios)))
        ax.set_xticklabels([scenario_name(k, s) for k, s in scenarios])
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes:
        ax.legend(fontsize=8)
    fig.suptitle(f"Peers side by side: {data['server']} (median, min–max of {data['runs']} "
                 f"runs; -P {data['P']} -b {data['B']})", fontsize=10)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def plot_venv(build_dir):
    venv = os.path.join(build_dir, "peers", "plot-venv")
    py = os.path.join(venv, "bin", "python")
    req = os.path.join(HERE, "requirements-plot.txt")
    stamp = os.path.join(venv, ".requirements")
    want = open(req).read()
    if os.access(py, os.X_OK) and os.path.exists(stamp) and open(stamp).read() == want:
        return py
    note(f"=== installing matplotlib from PyPI into {venv}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", req],
                   check=True, timeout=RUN_TIMEOUT)
    with open(stamp, "w") as f:
        f.write(want)
    return py


# ---------------------------------------------------------------- main

class Config:
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", help="HOST:PORT of a running server (default: start the mock)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", help="output directory (default BUILD/peers-compare)")
    ap.add_argument("--runs", type=int, default=5, help="runs per tool and scenario (>= 5)")
    ap.add_argument("--sizes", default="100,1000", help="message sizes in bytes")
    ap.add_argument("-P", "--messages-per-batch", type=int, default=1000)
    ap.add_argument("-b", "--batches", type=int, default=1000)
    ap.add_argument("--scenarios", default="produce,consume")
    ap.add_argument("--client-cpu", type=int, help="pin every client to this CPU")
    ap.add_argument("--settle", type=float,
                    help="seconds of quiet before every run (default 3 with --server, 0 with --smoke, "
                         "else 0.5)")
    ap.add_argument("--smoke", action="store_true",
                    help="1 run, -P 100 -b 10; check that the table and the chart are written")
    ap.add_argument("--plot", nargs=2, metavar=("RESULTS_JSON", "PNG"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.settle is None:
        args.settle = 0.0 if args.smoke else 3.0 if args.server else 0.5
    if args.settle < 0:
        ap.error("--settle is a number of seconds >= 0")
    if args.plot:
        plot(*args.plot)
        return 0
    args.build_dir = os.path.abspath(args.build_dir)
    out_dir = os.path.abspath(args.out or os.path.join(args.build_dir, "peers-compare"))
    cfg = Config()
    cfg.runs, cfg.P, cfg.B = args.runs, args.messages_per_batch, args.batches
    cfg.settle = args.settle
    if args.smoke:
        cfg.runs, cfg.P, cfg.B = 1, 100, 10
    elif cfg.runs < 5:
        ap.error("--runs must be at least 5 (BENCHMARKS.md section 5); --smoke runs once")
    if cfg.P < 1 or cfg.B < 10:
        ap.error("-P must be positive and -b at least 10")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    kinds = [k for k in args.scenarios.split(",") if k]
    if not sizes or any(s < 1 for s in sizes) or not kinds or \
            any(k not in ("produce", "consume") for k in kinds):
        ap.error("--sizes are positive integers, --scenarios of produce,consume")
    cfg.scenarios = [(k, s) for s in sizes for k in kinds]
    log_dir = os.path.join(out_dir, "logs")
    shutil.rmtree(log_dir, ignore_errors=True)
    os.makedirs(log_dir)
    server = None
    try:
        server = Server(args)
        cfg.addr = server.addr
        tools, notes, skipped = discover_tools(args, server, cfg)
        for s in skipped:
            note(f"SKIPPED: {s}")
        note(f"tools: {', '.join(t.name for t in tools)}; server: {server.kind}")
        seeders = [t for t in tools if t.name == "iggy-bench"] + \
            [t for t in tools if t.name != "iggy-bench" and t.can_seed]
        cfg.seed_tool = seeders[0].name if seeders else None
        results = []
        for kind, size in cfg.scenarios:
            cfg.seeded = False
            if kind == "consume" and seeders:
                note(f"--- seeding {STREAM}/{TOPIC} with {size} B messages ({seeders[0].name})")
                measure(seeders[0], "produce", size, cfg, server, log_dir,
                        f"seed-{size}", args.client_cpu)
                cfg.seeded = True
            for rnd in range(1, cfg.runs + 1):
                for t in rotated(tools, rnd - 1):
                    tag = f"{kind}-{size}-{t.name}-{rnd}"
                    r = measure(t, kind, size, cfg, server, log_dir, tag, args.client_cpu)
                    r.update(tool=t.name, kind=kind, size=size, round=rnd)
                    results.append(r)
                    p99 = f"{r['p99_ms']:.3f}" if r.get("p99_ms") is not None else "n/a"
                    note(f"{scenario_name(kind, size):>14} round {rnd} {t.name:>10}: "
                         f"{r['messages_per_s']:12,.0f} msg/s  p99 {p99} ms  "
                         f"user {r['user_cpu_s']:.3f} s  sys {r['sys_cpu_s']:.3f} s")
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    finally:
        if server:
            server.stop()
    table = os.path.join(out_dir, "peers.md")
    results_json = os.path.join(out_dir, "results.json")
    png = os.path.join(out_dir, "peers.png")
    write_table(table, results, tools, cfg, server, notes, skipped, args)
    with open(results_json, "w") as f:
        json.dump({"server": server.kind, "runs": cfg.runs, "P": cfg.P, "B": cfg.B,
                   "scenarios": cfg.scenarios, "tools": [t.name for t in tools],
                   "notes": notes, "skipped": skipped, "results": results}, f, indent=1)
    note(f"table: {table}")
    try:
        py = plot_venv(args.build_dir)
        subprocess.run([py, os.path.abspath(__file__), "--plot", results_json, png], check=True,
                       timeout=RUN_TIMEOUT)
    except (subprocess.SubprocessError, OSError) as e:
        print(f"FAIL: cannot draw {png}: {e}", file=sys.stderr)
        return 1
    note(f"chart: {png}")
    if args.smoke:
        with open(table) as f:
            text = f.read()
        rows = [ln for ln in text.splitlines() if ln.startswith("| ") and " ours " in ln]
        if len(rows) != len(cfg.scenarios) or not os.path.getsize(png):
            print(f"FAIL: smoke: {len(rows)} ours rows for {len(cfg.scenarios)} scenarios, "
                  f"chart {os.path.getsize(png)} bytes", file=sys.stderr)
            return 1
        with open(png, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                print(f"FAIL: smoke: {png} is not a PNG", file=sys.stderr)
                return 1
        note(f"smoke: {len(tools)} tool(s) x {len(cfg.scenarios)} scenarios, table and chart "
             "written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
