#!/usr/bin/env python3
"""Benchmark modes shaped like iggy-bench's pinned kinds with one actor (BENCHMARKS.md §1), on
the official Python SDK (PyPI apache-iggy, pyo3 over the Rust SDK), low-level client calls:

    bench.py pp [-m 1000] [-P 1000] [-b 1000] [--server-address H:P] [--reuse-streams]
    bench.py pc [-m 1000] [-P 1000] [-b 1000] [--server-address H:P] [--consumer-id 1]

pp recreates stream bench-stream-1 with topic topic-1 (one partition, unlimited size, no expiry)
unless --reuse-streams, builds one list of -P SendMessage objects with random alphanumeric
payloads of -m bytes once, and sends it -b times to partition 0 with send_messages (the SDK
stamps origin_timestamp itself; SendMessage has no setter). pc polls partition 0 by offset with
poll_messages (-P per poll, auto-commit off, advancing the offset itself) until -b non-empty
polls; empty polls are not recorded. Only the awaited send or poll is timed.

Prints one JSON line: messages, bytes (user payload), seconds (first send/poll to the last
reply), messages_per_s, mb_per_s (decimal), p50_ms and p99_ms over the per-batch latencies
(linear interpolation at rank p/100*(n-1), as iggy-bench), and this process's getrusage
user/sys CPU seconds. The address defaults to IGGY_ADDR, then 127.0.0.1:8090; credentials come
from IGGY_USERNAME / IGGY_PASSWORD (default iggy/iggy). Run it with the venv that
tests/interop/setup.sh makes (apache-iggy pinned in tests/interop/python/requirements.txt).
"""

import argparse
import asyncio
import json
import math
import os
import random
import resource
import string
import struct
import sys
import time

from apache_iggy import (Consumer, IggyClient, IggyExpiry, MaxTopicSize, PollingStrategy,
                         SendMessage)

USER = os.environ.get("IGGY_USERNAME") or "iggy"
PASSWORD = os.environ.get("IGGY_PASSWORD") or "iggy"


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    rank = p / 100 * (len(sorted_ms) - 1)
    lo, hi = math.floor(rank), math.ceil(rank)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (rank - lo)


async def connect(addr):
    client = IggyClient(addr)
    await client.connect()
    await client.login_user(USER, PASSWORD)
    return client


def wire_name(name):
    raw = name.encode()
    return bytes([2, len(raw)]) + raw


async def create_topic(client, stream, topic):
    """apache-iggy 0.9.0 always sends the option keys durability/consumer_offset_durability,
    which server 0.9.0-edge.5 refuses (4041 UnsupportedOptionKey; see tests/interop/python):
    then the same CreateTopic (302) goes through the SDK's raw path without them, and the topic
    gets the server's default expiry and size."""
    try:
        await client.create_topic(stream, topic, 1, message_expiry=IggyExpiry.NeverExpire(),
                                  max_topic_size=MaxTopicSize.Unlimited())
        return
    except RuntimeError as e:
        if "Unsupported option key" not in str(e):
            raise
    raw = topic.encode()
    await client.send_binary_request(
        302, wire_name(stream) + struct.pack("<I", 1) + bytes([len(raw)]) + raw)


async def prepare_stream(args):
    admin = await connect(args.server_address)
    exists = await admin.get_stream(args.stream) is not None
    if exists and args.reuse_streams:
        return
    if exists:
        await admin.delete_stream(args.stream)
    await admin.create_stream(args.stream)
    await create_topic(admin, args.stream, args.topic)


async def produce(args):
    await prepare_stream(args)
    client = await connect(args.server_address)
    alphabet = (string.ascii_letters + string.digits).encode()
    msgs = [SendMessage(bytes(random.choices(alphabet, k=args.m))) for _ in range(args.P)]
    latencies, messages = [], 0
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(args.b):
        t0 = clock()
        await client.send_messages(args.stream, args.topic, 0, msgs)
        latencies.append((clock() - t0) / 1e6)
        messages += len(msgs)
    seconds = (clock() - start) / 1e9
    return latencies, messages, messages * args.m, seconds


async def consume(args):
    client = await connect(args.server_address)
    consumer = Consumer.Single(args.consumer_id)
    latencies, messages, nbytes, offset = [], 0, 0, 0
    clock = time.perf_counter_ns
    start = last_data = clock()
    while len(latencies) < args.b:
        t0 = clock()
        polled = await client.poll_messages(
            args.stream, args.topic, consumer=consumer,
            polling_strategy=PollingStrategy.Offset(offset), count=args.P, auto_commit=False,
            partition_id=0)
        lat = (clock() - t0) / 1e6
        if not polled:
            if clock() - last_data > 10e9:
                sys.exit(f"bench.py: partition 0 of {args.stream}/{args.topic} holds only "
                         f"{offset} messages, {args.P * args.b} wanted (run pp first)")
            continue
        last_data = clock()
        nbytes += sum(m.length() for m in polled)
        offset += len(polled)
        messages += len(polled)
        latencies.append(lat)
    seconds = (clock() - start) / 1e9
    return latencies, messages, nbytes, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["pp", "pinned-producer", "pc", "pinned-consumer"])
    ap.add_argument("-m", "--message-size", dest="m", type=int, default=1000)
    ap.add_argument("-P", "--messages-per-batch", dest="P", type=int, default=1000)
    ap.add_argument("-b", "--message-batches", dest="b", type=int, default=1000)
    ap.add_argument("--server-address",
                    default=os.environ.get("IGGY_ADDR") or "127.0.0.1:8090")
    ap.add_argument("--stream", default="bench-stream-1")
    ap.add_argument("--topic", default="topic-1")
    ap.add_argument("--reuse-streams", action="store_true")
    ap.add_argument("--consumer-id", type=int, default=1)
    args = ap.parse_args()
    if args.m < 1 or args.P < 1 or args.b < 1:
        ap.error("-m, -P and -b must be positive")
    producer = args.kind in ("pp", "pinned-producer")
    latencies, messages, nbytes, seconds = asyncio.run(produce(args) if producer
                                                       else consume(args))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()
    print(json.dumps({
        "tool": "python-sdk", "kind": "pinned_producer" if producer else "pinned_consumer",
        "message_size": args.m, "messages_per_batch": args.P, "batches": len(latencies),
        "messages": messages, "bytes": nbytes, "seconds": seconds,
        "messages_per_s": messages / seconds, "mb_per_s": nbytes / 1e6 / seconds,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "user_cpu_s": ru.ru_utime, "sys_cpu_s": ru.ru_stime,
    }), flush=True)
    # apache-iggy 0.9.0 sometimes aborts (SIGABRT) during interpreter finalization (a Tokio
    # worker takes the GIL after shutdown began; tests/interop/python/peer.py): the work is
    # done and reported, so skip finalization.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
