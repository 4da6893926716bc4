#!/usr/bin/env python3
"""Interop orchestrator (stdlib only): runs the official Iggy SDK peers against libiggy's mock
server, or against a real server when IGGY_TEST_SERVER=host:port is set (credentials
IGGY_TEST_USERNAME / IGGY_TEST_PASSWORD, default iggy/iggy).

    run_interop.py go|python|cross|all --bin-dir BUILD/bin --peers-dir BUILD/interop

  go      the Go SDK scenario (bench/peers/go/interop.go); SKIPPED (exit 77) without IGGY_GO_SDK
  python  the Python SDK scenario (tests/interop/python/peer.py)
  cross   messages produced by each of libiggy, Go and Python are consumed by all three and
          must agree on ids, payloads, typed user headers, partitions, offsets and
          timestamps; key-based routing must pick XXH32(key) % partitions in all three.

The peers are installed by tests/interop/setup.sh PEERS_DIR. The Go SDK peer (bench/peers/go)
takes part when IGGY_GO_SDK names a local checkout of the official Go SDK (the Go module proxy
refuses the module; docs/BENCHMARKING.md); it is (re)built here with bench/peers/go/build.sh,
which is incremental. Any failure exits non-zero.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from mock_server import MockServer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GO_BUILD = os.path.join(HERE, "..", "..", "bench", "peers", "go", "build.sh")
PEER_TIMEOUT = 240
SKIP = 77


class InteropFailure(Exception):
    pass


def fail(msg):
    raise InteropFailure(msg)


# ---------------------------------------------------------------- XXH32 (seed 0), for routing

def xxh32(data, seed=0):
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    m = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    n, i = len(data), 0
    if n >= 16:
        v = [(seed + p1 + p2) & m, (seed + p2) & m, seed & m, (seed - p1) & m]
        while i + 16 <= n:
            for j in range(4):
                (lane,) = struct.unpack_from("<I", data, i + 4 * j)
                v[j] = (rotl((v[j] + lane * p2) & m, 13) * p1) & m
            i += 16
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & m
    else:
        h = (seed + p5) & m
    h = (h + n) & m
    while i + 4 <= n:
        (lane,) = struct.unpack_from("<I", data, i)
        h = (rotl((h + lane * p3) & m, 17) * p4) & m
        i += 4
    while i < n:
        h = (rotl((h + data[i] * p5) & m, 11) * p1) & m
        i += 1
    h ^= h >> 15
    h = (h * p2) & m
    h ^= h >> 13
    h = (h * p3) & m
    h ^= h >> 16
    return h


assert xxh32(b"") == 0x02CC5D05 and xxh32(b"a") == 0x550D7456  # reference values


# ---------------------------------------------------------------- server and peers

class Server:
    def __init__(self, bin_dir):
        self.mock = None
        self.user = os.environ.get("IGGY_TEST_USERNAME") or "iggy"
        self.password = os.environ.get("IGGY_TEST_PASSWORD") or "iggy"
        real = os.environ.get("IGGY_TEST_SERVER")
        if real:
            self.addr, self.kind = real, "real server " + real
            return
        try:
            self.mock = MockServer(bin_dir)
        except RuntimeError as e:
            fail(str(e))
        self.addr = self.mock.addr
        self.kind = "libiggy mock " + self.addr

    def stop(self):
        if self.mock:
            self.mock.stop()
            self.mock = None


class Peers:
    def __init__(self, args, server):
        self.server = server
        self.c = os.path.join(args.bin_dir, "interop_c_peer")
        self.go = os.path.join(args.peers_dir, "go", "iggy-go-peer")
        self.py = os.path.join(args.peers_dir, "venv", "bin", "python")
        self.py_script = os.path.join(HERE, "python", "peer.py")

    def check_installed(self, which):
        paths = {"c": self.c, "go": self.go, "python": self.py}
        hints = {"c": "build the interop_c_peer target",
                 "go": "set IGGY_GO_SDK and run tests/interop/setup.sh (the Go SDK peer)",
                 "python": "run tests/interop/setup.sh (PyPI apache-iggy in a venv)"}
        for w in which:
            if not os.access(paths[w], os.X_OK):
                fail(f"the {w} peer is not installed at {paths[w]}: {hints[w]}")

    def argv(self, peer, *args):
        return {"c": [self.c], "go": [self.go], "python": [self.py, self.py_script]}[peer] + list(args)

    def run(self, peer, *args, echo=False):
        env = dict(os.environ, IGGY_ADDR=self.server.addr, IGGY_USERNAME=self.server.user,
                   IGGY_PASSWORD=self.server.password)
        argv = self.argv(peer, *args)
        try:
            r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=PEER_TIMEOUT)
        except subprocess.TimeoutExpired:
            fail(f"{peer} peer timed out after {PEER_TIMEOUT} s: {' '.join(args)}")
        if echo:
            sys.stdout.write(r.stdout)
        if r.returncode != 0:
            fail(f"{peer} peer failed ({' '.join(args)}), exit {r.returncode}:\n"
                 f"{r.stdout[-4000:]}{r.stderr[-4000:]}")
        return r.stdout


# ---------------------------------------------------------------- scenarios

def run_scenario(peers, peer, prefix):
    out = peers.run(peer, "scenario", prefix, echo=True)
    steps = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not steps or not all(s.get("ok") for s in steps):
        fail(f"{peer} scenario reported no or failed steps")
    deviations = [s["detail"]["bug"] for s in steps if s["step"] == "sdk_deviation"]
    print(f"interop_{peer}: {len(steps) - len(deviations)} steps passed against {peers.server.kind}"
          f"; {len(deviations)} documented SDK deviation(s) observed")
    return len(steps)


# ---------------------------------------------------------------- cross traffic

KIND_CODES = {"string": 2, "bool": 3, "int32": 6, "int64": 7, "uint32": 11, "uint64": 12,
              "float32": 14, "float64": 15}
PACK = {"bool": "<?", "int32": "<i", "int64": "<q", "uint32": "<I", "uint64": "<Q",
        "float32": "<f", "float64": "<d"}

HEADER_POOL = [
    ("s-ascii", "string", "hello"),
    ("s-utf8", "string", "h\u00e9llo w\u00f6rld \u2713"),
    ("flag-t", "bool", True),
    ("flag-f", "bool", False),
    ("i32", "int32", -5),
    ("i64", "int64", -1234567890123),
    ("u32", "uint32", 4000000000),
    ("u64", "uint64", 18446744073709551615),
    ("f32", "float32", 3.14159),
    ("f64", "float64", -2.718281828459045),
]


def raw_value(kind, value):
    return value.encode() if kind == "string" else struct.pack(PACK[kind], value)


def canonical_float(kind, value):
    return struct.unpack(PACK[kind], struct.pack(PACK[kind], value))[0]


def make_spec(producer, stream, topic, partition, base_id, with_origin):
    batches, n, now = [], 0, int(time.time() * 1e6)
    payloads = [bytes(range(256)), "caf\u00e9 \u2615".encode(), b"x", b"\x00\xff\x00",
                b"plain text payload", bytes([7]) * 1000, b"{\"json\": true}", b"last"]
    for size in (1, 4, 3):
        batch = []
        for _ in range(size):
            headers = []
            if n != 2:  # message 2 carries no headers at all
                for j in range(n % 4, len(HEADER_POOL), 1 + n % 3):
                    key, kind, value = HEADER_POOL[j]
                    headers.append({"key": key, "kind": kind, "value": value})
            batch.append({
                "id": str(base_id + n * 0x1_0000_0001),
                "payload_hex": payloads[n].hex(),
                "origin_timestamp": (now - 1_000_000 + n) if with_origin else 0,
                "headers": headers,
            })
            n += 1
        batches.append(batch)
    return {"producer": producer, "stream": stream, "topic": topic, "partitions": 3,
            "partition": partition, "batches": batches}


def write_specs(tmp, name, spec):
    jpath = os.path.join(tmp, name + ".json")
    with open(jpath, "w") as f:
        json.dump(spec, f)
    lines = [f"stream {spec['stream']}", f"topic {spec['topic']}",
             f"partitions {spec['partitions']}", f"partition {spec.get('partition', 0)}"]
    for batch in spec.get("batches", []):
        lines.append("batch")
        for m in batch:
            lines.append(f"msg {m['id']} {m['origin_timestamp']} {m['payload_hex'] or '-'}")
            for h in m["headers"]:
                lines.append(f"hdr {h['key']} {KIND_CODES[h['kind']]} "
                             f"{raw_value(h['kind'], h['value']).hex()}")
    for k in spec.get("keys", []):
        lines.append(f"key {k}")
    tpath = os.path.join(tmp, name + ".txt")
    with open(tpath, "w") as f:
        f.write("\n".join(lines) + "\n")
    return jpath, tpath


def spec_arg(peer, paths):
    return paths[1] if peer == "c" else paths[0]


def normalize(dump):
    """Floats are compared as values (each SDK prints them its own way)."""
    out = []
    for m in dump["messages"]:
        m = dict(m)
        hs = []
        for h in m["headers"]:
            h = dict(h)
            if h["kind"] in ("float32", "float64"):
                h["value"] = float(h["value"])
            hs.append(h)
        # Header order is not meaningful: the Rust-based SDKs keep headers in a map.
        m["headers"] = sorted(hs, key=lambda h: h["key"])
        out.append(m)
    return out


def expected_messages(spec):
    exp = []
    for m in (m for b in spec["batches"] for m in b):
        hs = []
        for h in m["headers"]:
            v = h["value"]
            if h["kind"] in ("float32", "float64"):
                v = canonical_float(h["kind"], v)
            hs.append({"key": h["key"], "key_kind": "string", "kind": h["kind"], "value": v,
                       "value_hex": raw_value(h["kind"], h["value"]).hex()})
        exp.append({"id": m["id"], "payload_hex": m["payload_hex"],
                    "headers": sorted(hs, key=lambda h: h["key"]),
                    "origin_timestamp": m["origin_timestamp"]})
    return exp


def check_against_spec(spec, msgs, who):
    exp = expected_messages(spec)
    if len(msgs) != len(exp):
        fail(f"{who}: {len(msgs)} messages, expected {len(exp)}")
    batch_of = [b for b, batch in enumerate(spec["batches"]) for _ in batch]
    for i, (m, e) in enumerate(zip(msgs, exp)):
        where = f"{who}: message {i}"
        if m["partition"] != spec["partition"] or m["offset"] != i:
            fail(f"{where}: at partition {m['partition']} offset {m['offset']}, expected "
                 f"partition {spec['partition']} offset {i}")
        for field in ("id", "payload_hex", "headers"):
            if m[field] != e[field]:
                fail(f"{where}: {field} differs:\n  got      {m[field]}\n  expected {e[field]}")
        if e["origin_timestamp"] and m["origin_timestamp"] != e["origin_timestamp"]:
            fail(f"{where}: origin_timestamp {m['origin_timestamp']} != {e['origin_timestamp']}")
        if not m["timestamp"] or not m["origin_timestamp"]:
            fail(f"{where}: zero timestamp")
        if i and batch_of[i] == batch_of[i - 1] and m["timestamp"] != msgs[i - 1]["timestamp"]:
            fail(f"{where}: messages of one batch have different broker timestamps")
        if i and batch_of[i] != batch_of[i - 1] and m["timestamp"] <= msgs[i - 1]["timestamp"]:
            fail(f"{where}: broker timestamps do not increase across batches")


def run_cross(peers, prefix, with_go):
    checks = 0
    stream = prefix + "-x"
    producers = {"c": 1, "python": 0}  # producer -> partition it writes
    if with_go:
        producers["go"] = 2
    consumers = list(producers)
    names = ", ".join(consumers)
    with tempfile.TemporaryDirectory(prefix="interop-") as tmp:
        specs = {}
        for k, (prod, part) in enumerate(producers.items()):
            spec = make_spec(prod, stream, "from-" + prod, part,
                             base_id=(0xC0FFEE + k) << 96 | 0xABCDEF, with_origin=prod != "python")
            specs[prod] = (spec, write_specs(tmp, "spec-" + prod, spec))
            peers.run("c", "setup", specs[prod][1][1])
        # produce
        for prod, (spec, paths) in specs.items():
            out = json.loads(peers.run(prod, "produce", spec_arg(prod, paths)))
            confs = [(c["partition"], c["base_offset"]) for c in out["confirmations"]]
            want = [(spec["partition"], 0), (spec["partition"], 1), (spec["partition"], 5)]
            if confs != want:
                fail(f"{prod} produce: confirmations {confs}, expected {want}")
            checks += 1
        # consume every topic with every peer
        dumps = {}
        for prod, (spec, paths) in specs.items():
            for cons in consumers:
                dump = normalize(json.loads(peers.run(cons, "consume", spec_arg(cons, paths))))
                check_against_spec(spec, dump, f"produced by {prod}, consumed by {cons}")
                dumps[(prod, cons)] = dump
                checks += 1
            ref = dumps[(prod, "c")]
            for cons in consumers[1:]:
                for a, b in zip(ref, dumps[(prod, cons)]):
                    if a != b:
                        fail(f"produced by {prod}: libiggy and {cons} disagree:\n  c:     {a}\n"
                             f"  {cons}: {b}")
                checks += 1
            print(f"interop_cross: {len(ref)} messages produced by {prod} read identically by "
                  f"{names} (ids, payloads, typed headers, offsets, timestamps)")
        # key-based routing over 7 partitions
        keys = [f"key-{i}" for i in range(44)] + ["user-42", "order/2026/11", "\u00fcml\u00e4ut",
                                                   "k", "0123456789abcdef0123", "x" * 200]
        kspec = {"stream": stream, "topic": "keys", "partitions": 7, "keys": keys}
        kpaths = write_specs(tmp, "spec-keys", kspec)
        peers.run("c", "setup", kpaths[1])
        expected = {k: xxh32(k.encode()) % 7 for k in keys}
        if len(set(expected.values())) < 5:
            fail("the key set does not spread over the partitions")
        for prod in producers:
            out = json.loads(peers.run(prod, "produce-keys", spec_arg(prod, kpaths)))
            got = out["partitions"]
            for k in keys:
                if got.get(k) != expected[k]:
                    fail(f"{prod}: key {k!r} went to partition {got.get(k)}, "
                         f"XXH32 % 7 = {expected[k]}")
            if prod == "c":
                for k in keys:
                    if out["computed"][k] != expected[k]:
                        fail(f"iggy_partition_for_key({k!r}) = {out['computed'][k]}, "
                             f"expected {expected[k]}")
            checks += 1
        stored = {}
        for cons in consumers:
            dump = json.loads(peers.run(cons, "consume", spec_arg(cons, kpaths)))
            where = {}
            for m in dump["messages"]:
                key = bytes.fromhex(m["payload_hex"]).decode()
                where.setdefault(key, []).append(m["partition"])
            stored[cons] = where
            for k in keys:
                if where.get(k) != [expected[k]] * len(producers):
                    fail(f"consumed by {cons}: key {k!r} stored in partitions {where.get(k)}, "
                         f"expected {[expected[k]] * len(producers)}")
            checks += 1
        print(f"interop_cross: {len(keys)} keys over 7 partitions routed to XXH32(key) % 7 by "
              f"{names}, and found there by each")
    print(f"interop_cross: {checks} checks passed against {peers.server.kind}")


def build_go(peers_dir):
    """bench/peers/go against IGGY_GO_SDK, into PEERS_DIR/go (a no-op when up to date)."""
    r = subprocess.run([GO_BUILD, os.path.join(peers_dir, "go")], capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        fail(f"cannot build the Go SDK peer (bench/peers/go/build.sh):\n{r.stdout}{r.stderr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["go", "python", "cross", "all"])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--peers-dir", required=True)
    args = ap.parse_args()
    with_go = bool(os.environ.get("IGGY_GO_SDK"))
    if not with_go:
        if args.mode == "go":
            print("SKIPPED: interop_go needs IGGY_GO_SDK=<local checkout of the official Go SDK, "
                  "apache/iggy foreign/go at cc269ef70> (the Go module proxy refuses the module; "
                  "docs/BENCHMARKING.md)")
            return SKIP
        print("NOTE: the official Go SDK is not part of this run: IGGY_GO_SDK is not set (the Go "
              "module proxy refuses github.com/apache/iggy/foreign/go; docs/BENCHMARKING.md)")
    modes = (["go"] if with_go else []) + ["python", "cross"] if args.mode == "all" \
        else [args.mode]
    server = None
    try:
        if with_go:
            build_go(args.peers_dir)
        server = Server(args.bin_dir)
        peers = Peers(args, server)
        needed = {"go": ["go"], "python": ["python"],
                  "cross": ["c", "python"] + (["go"] if with_go else [])}
        peers.check_installed(sorted({p for m in modes for p in needed[m]}))
        prefix = f"interop-{os.getpid()}-{int(time.time())}"
        for mode in modes:
            if mode == "cross":
                run_cross(peers, prefix, with_go)
            else:
                run_scenario(peers, mode, f"{prefix}-{mode}")
    except InteropFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    finally:
        if server:
            server.stop()
    print(f"interop {args.mode}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
