#!/usr/bin/env python3
"""A tiny hostile Iggy server for check_iggycat.sh: it answers polls with offsets a correct
server never sends, to prove that `iggycat -C` never loops on them.

Usage: hostile_poll_server.py MODE
  stale  every poll returns one message at offset 0 (high-water mark 100): from the second
         poll on, the consumer already has it
  wrap   every poll returns one message at offset 2^64-1: the next offset would wrap to 0
  empty  every poll returns no messages (high-water mark 100)

Other replies: GetTopic (300) is topic "t" with one partition whose current_offset is the
mode's high-water mark (for -o end); GetClusterMetadata (12) a single node; Ping (1) empty;
anything else status 3 (InvalidCommand), as the real server answers unknown codes.

It listens on an ephemeral 127.0.0.1 port, prints "listening on 127.0.0.1:PORT", then one
line per request ("request op=O code=C"); it serves connections one at a time and exits after
30 s without one. Wire format (/work/shared/protocol/): framing-and-session.md §1 (the
256-byte header) and §8 (login), messages.md §4.3 (the poll reply); fixed bodies are the
vectors.txt vectors named below.
"""
import socket
import struct
import sys

HEADER = 256
OP_REGISTER, OP_NON_REPLICATED = 1, 2
CODE_PING, CODE_CLUSTER, CODE_POLL, CODE_GET_TOPIC = 1, 12, 100, 300
INVALID_COMMAND = 3
# vectors.txt login_reply_body: result 0, user 0, session 5, protocol 0x2c00, "0.9.0-edge.5".
LOGIN_BODY = bytes.fromhex("00000000000000000500000000000000002c00000c302e392e302d656467652e35")
# vectors.txt get_cluster_metadata_reply_body: one healthy leader node (so no redirect).
CLUSTER_BODY = bytes.fromhex(
    "0b00000073696e676c652d6e6f64650100000009000000696767792d6e6f6465090000003132372e302e302e31"
    "9a1f901fb80b9c1f0000"
)
# vectors.txt get_topic_reply_body_minimal: topic "t", partition 0 with 100 messages; the
# partition's current_offset u64 sits at byte 75.
TOPIC_BODY = bytes.fromhex(
    "0000000000605ba09d37060001000000ffffffffffffffff01ffffffffffffffff0000000000000000000000"
    "0000000000017400000000000000000000000000605ba09d3706000100000063000000000000000010000000"
    "0000006400000000000000"
)


def reply(request, operation, body=b"", status=0):
    """A ReplyHeader (command 8 = Reply) echoing the request id and operation."""
    h = bytearray(HEADER)
    struct.pack_into("<I", h, 48, HEADER + len(body))  # size, header included
    h[60] = 8
    struct.pack_into("<Q", h, 200, request)
    h[208] = operation
    struct.pack_into("<I", h, 216, status)
    return bytes(h) + body


def poll_body(offset, current, payload):
    """[partition u32][current_offset u64][count u32] + one batch record of one message."""
    if offset is None:
        return struct.pack("<IQI", 0, current, 0)
    frame = struct.pack("<Q16sIIIIQ", 0, bytes(16), 0, 0, 0, len(payload), 0) + payload
    batch = bytearray(HEADER)  # checksums stay 0: iggycat does not ask to verify them
    struct.pack_into("<QQQQQQI", batch, 0, 0, offset, 1, 1, HEADER + len(frame), 0, 1)
    return struct.pack("<IQI", 0, current, 1) + bytes(batch) + frame


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve(conn, mode):
    polls = {
        "stale": (0, 100, b"stale-message"),
        "wrap": (2**64 - 1, 2**64 - 1, b"last-offset"),
        "empty": (None, 100, b""),
    }
    while True:
        hdr = recv_exact(conn, HEADER)
        if hdr is None:
            return
        size = struct.unpack_from("<I", hdr, 48)[0]
        if size < HEADER or recv_exact(conn, size - HEADER) is None:
            return
        request = struct.unpack_from("<Q", hdr, 168)[0]
        op = hdr[176]
        code = struct.unpack_from("<I", hdr, 196)[0] if op == OP_NON_REPLICATED else 0
        print(f"request op={op} code={code}", flush=True)
        if op == OP_REGISTER:
            conn.sendall(reply(request, op, LOGIN_BODY))
        elif code == CODE_POLL:
            conn.sendall(reply(request, op, poll_body(*polls[mode])))
        elif code == CODE_GET_TOPIC:
            body = bytearray(TOPIC_BODY)
            struct.pack_into("<Q", body, 75, polls[mode][1])
            conn.sendall(reply(request, op, bytes(body)))
        elif code == CODE_CLUSTER:
            conn.sendall(reply(request, op, CLUSTER_BODY))
        elif code == CODE_PING:
            conn.sendall(reply(request, op))
        else:
            conn.sendall(reply(request, op, status=INVALID_COMMAND))


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("stale", "wrap", "empty"):
        sys.exit(__doc__)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(30)
    print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            return
        with conn:
            try:
                serve(conn, sys.argv[1])
            except OSError:  # the client went away mid-reply
                pass


if __name__ == "__main__":
    main()
