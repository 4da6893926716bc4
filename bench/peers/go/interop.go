// Interop commands of iggy-go-peer: drive the official Iggy Go SDK
// (github.com/apache/iggy/foreign/go at commit cc269ef70ef2) against a server (normally
// libiggy's mock) for tests/interop/run_interop.py.
//
//	iggy-go-peer scenario PREFIX         exercise the SDK API; prints one JSON line per step
//	iggy-go-peer produce SPEC.json       send the messages a spec describes
//	iggy-go-peer consume SPEC.json       poll every partition of the spec's topic, dump JSON
//	iggy-go-peer produce-keys SPEC.json  one message per key with MessagesKey partitioning
//
// The server address comes from IGGY_ADDR (host:port), the credentials from
// IGGY_USERNAME / IGGY_PASSWORD (default iggy/iggy). Any failure exits non-zero.
package main

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/apache/iggy/foreign/go/client"
	"github.com/apache/iggy/foreign/go/client/tcp"
	iggcon "github.com/apache/iggy/foreign/go/contracts"
	ierror "github.com/apache/iggy/foreign/go/errors"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "iggy-go-peer: FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func check(err error, what string) {
	if err != nil {
		die("%s: %v", what, err)
	}
}

func newClient(ctx context.Context, login bool) iggcon.Client {
	addr := os.Getenv("IGGY_ADDR")
	if addr == "" {
		die("IGGY_ADDR is not set")
	}
	cli, err := client.NewIggyClient(client.WithTcp(tcp.WithServerAddress(addr)))
	check(err, "NewIggyClient")
	check(cli.Connect(ctx), "Connect")
	if login {
		_, err = cli.LoginUser(ctx, env("IGGY_USERNAME", "iggy"), env("IGGY_PASSWORD", "iggy"))
		check(err, "LoginUser")
	}
	return cli
}

func nameID(s string) iggcon.Identifier {
	id, err := iggcon.NewIdentifier(s)
	check(err, "NewIdentifier")
	return id
}

func numID(n uint32) iggcon.Identifier {
	id, err := iggcon.NewIdentifier(n)
	check(err, "NewIdentifier")
	return id
}

// ---------------------------------------------------------------- message specs

type headerSpec struct {
	Key   string          `json:"key"`
	Kind  string          `json:"kind"`
	Value json.RawMessage `json:"value"`
}

type messageSpec struct {
	ID              string       `json:"id"`
	PayloadHex      string       `json:"payload_hex"`
	OriginTimestamp uint64       `json:"origin_timestamp"`
	Headers         []headerSpec `json:"headers"`
}

type spec struct {
	Stream     string          `json:"stream"`
	Topic      string          `json:"topic"`
	Partitions uint32          `json:"partitions"`
	Partition  uint32          `json:"partition"`
	Batches    [][]messageSpec `json:"batches"`
	Keys       []string        `json:"keys"`
	Count      uint32          `json:"count"`
}

func readSpec(path string) spec {
	data, err := os.ReadFile(path)
	check(err, "read spec")
	var s spec
	check(json.Unmarshal(data, &s), "parse spec")
	return s
}

// u128 decimal string <-> the 16 little-endian bytes of the wire.
func idBytes(dec string) [16]byte {
	n, ok := new(big.Int).SetString(dec, 10)
	if !ok {
		die("bad id %q", dec)
	}
	be := n.FillBytes(make([]byte, 16))
	var le [16]byte
	for i := 0; i < 16; i++ {
		le[i] = be[15-i]
	}
	return le
}

func idDecimal(le [16]byte) string {
	be := make([]byte, 16)
	for i := 0; i < 16; i++ {
		be[i] = le[15-i]
	}
	return new(big.Int).SetBytes(be).String()
}

func headerValue(h headerSpec) iggcon.HeaderValue {
	switch h.Kind {
	case "string":
		var s string
		check(json.Unmarshal(h.Value, &s), "header string")
		return iggcon.HeaderValue{Kind: iggcon.String, Value: []byte(s)}
	case "bool":
		var b bool
		check(json.Unmarshal(h.Value, &b), "header bool")
		v := byte(0)
		if b {
			v = 1
		}
		return iggcon.HeaderValue{Kind: iggcon.Bool, Value: []byte{v}}
	case "int32", "int64":
		n, err := strconv.ParseInt(string(h.Value), 10, 64)
		check(err, "header int")
		if h.Kind == "int32" {
			return iggcon.HeaderValue{Kind: iggcon.Int32, Value: binary.LittleEndian.AppendUint32(nil, uint32(int32(n)))}
		}
		return iggcon.HeaderValue{Kind: iggcon.Int64, Value: binary.LittleEndian.AppendUint64(nil, uint64(n))}
	case "uint32", "uint64":
		n, err := strconv.ParseUint(string(h.Value), 10, 64)
		check(err, "header uint")
		if h.Kind == "uint32" {
			return iggcon.HeaderValue{Kind: iggcon.Uint32, Value: binary.LittleEndian.AppendUint32(nil, uint32(n))}
		}
		return iggcon.HeaderValue{Kind: iggcon.Uint64, Value: binary.LittleEndian.AppendUint64(nil, n)}
	case "float32", "float64":
		f, err := strconv.ParseFloat(string(h.Value), 64)
		check(err, "header float")
		if h.Kind == "float32" {
			return iggcon.HeaderValue{Kind: iggcon.Float, Value: binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(f)))}
		}
		return iggcon.HeaderValue{Kind: iggcon.Double, Value: binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))}
	}
	die("unknown header kind %q", h.Kind)
	return iggcon.HeaderValue{}
}

func buildMessage(m messageSpec) iggcon.IggyMessage {
	payload, err := hex.DecodeString(m.PayloadHex)
	check(err, "payload hex")
	var entries []iggcon.HeaderEntry
	for _, h := range m.Headers {
		key, err := iggcon.NewHeaderKeyString(h.Key)
		check(err, "header key")
		entries = append(entries, iggcon.HeaderEntry{Key: key, Value: headerValue(h)})
	}
	opts := []iggcon.IggyMessageOpt{iggcon.WithID(idBytes(m.ID))}
	if len(entries) > 0 {
		opts = append(opts, iggcon.WithUserHeaders(entries))
	}
	msg, err := iggcon.NewIggyMessage(payload, opts...)
	check(err, "NewIggyMessage")
	if m.OriginTimestamp != 0 {
		msg.Header.OriginTimestamp = m.OriginTimestamp
	}
	return msg
}

// Decoded header as dumped: the value in its natural JSON form plus the raw bytes.
type headerDump struct {
	Key      string `json:"key"`
	KeyKind  string `json:"key_kind"`
	Kind     string `json:"kind"`
	Value    any    `json:"value"`
	ValueHex string `json:"value_hex"`
}

var kindNames = map[iggcon.HeaderKind]string{
	iggcon.Raw: "raw", iggcon.String: "string", iggcon.Bool: "bool", iggcon.Int8: "int8",
	iggcon.Int16: "int16", iggcon.Int32: "int32", iggcon.Int64: "int64", iggcon.Int128: "int128",
	iggcon.Uint8: "uint8", iggcon.Uint16: "uint16", iggcon.Uint32: "uint32", iggcon.Uint64: "uint64",
	iggcon.Uint128: "uint128", iggcon.Float: "float32", iggcon.Double: "float64",
}

func decodeValue(v iggcon.HeaderValue) any {
	b := v.Value
	switch v.Kind {
	case iggcon.String:
		return string(b)
	case iggcon.Bool:
		return b[0] != 0
	case iggcon.Int32:
		return json.Number(strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(b))), 10))
	case iggcon.Int64:
		return json.Number(strconv.FormatInt(int64(binary.LittleEndian.Uint64(b)), 10))
	case iggcon.Uint32:
		return json.Number(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b)), 10))
	case iggcon.Uint64:
		return json.Number(strconv.FormatUint(binary.LittleEndian.Uint64(b), 10))
	case iggcon.Float:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case iggcon.Double:
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return hex.EncodeToString(b)
}

type messageDump struct {
	Partition       uint32       `json:"partition"`
	Offset          uint64       `json:"offset"`
	Timestamp       uint64       `json:"timestamp"`
	OriginTimestamp uint64       `json:"origin_timestamp"`
	ID              string       `json:"id"`
	PayloadHex      string       `json:"payload_hex"`
	Headers         []headerDump `json:"headers"`
}

func dumpMessage(partition uint32, m iggcon.IggyMessage) messageDump {
	d := messageDump{
		Partition: partition, Offset: m.Header.Offset, Timestamp: m.Header.Timestamp,
		OriginTimestamp: m.Header.OriginTimestamp, ID: idDecimal(m.Header.Id),
		PayloadHex: hex.EncodeToString(m.Payload), Headers: []headerDump{},
	}
	if len(m.UserHeaders) > 0 {
		entries, err := iggcon.DeserializeHeaders(m.UserHeaders)
		check(err, "DeserializeHeaders")
		for _, e := range entries {
			d.Headers = append(d.Headers, headerDump{
				Key: string(e.Key.Value), KeyKind: kindNames[e.Key.Kind], Kind: kindNames[e.Value.Kind],
				Value: decodeValue(e.Value), ValueHex: hex.EncodeToString(e.Value.Value),
			})
		}
	}
	return d
}

// ---------------------------------------------------------------- cross-traffic commands

func cmdProduce(ctx context.Context, s spec) {
	cli := newClient(ctx, true)
	defer cli.Close()
	type conf struct {
		Partition  uint32 `json:"partition"`
		BaseOffset uint64 `json:"base_offset"`
	}
	var out []conf
	for _, batch := range s.Batches {
		var msgs []iggcon.IggyMessage
		for _, m := range batch {
			msgs = append(msgs, buildMessage(m))
		}
		resp, err := cli.SendMessages(ctx, nameID(s.Stream), nameID(s.Topic), iggcon.PartitionId(s.Partition), msgs)
		check(err, "SendMessages")
		for _, c := range resp.Confirmations {
			out = append(out, conf{c.PartitionId, c.BaseOffset})
		}
		time.Sleep(3 * time.Millisecond) // distinct broker timestamps per batch
	}
	check(json.NewEncoder(os.Stdout).Encode(map[string]any{"confirmations": out}), "encode")
}

func cmdProduceKeys(ctx context.Context, s spec) {
	cli := newClient(ctx, true)
	defer cli.Close()
	out := map[string]uint32{}
	for _, key := range s.Keys {
		p, err := iggcon.EntityIdString(key)
		check(err, "EntityIdString")
		msg, err := iggcon.NewIggyMessage([]byte(key))
		check(err, "NewIggyMessage")
		resp, err := cli.SendMessages(ctx, nameID(s.Stream), nameID(s.Topic), p, []iggcon.IggyMessage{msg})
		check(err, "SendMessages(key)")
		if len(resp.Confirmations) != 1 {
			die("send with key %q: %d confirmations", key, len(resp.Confirmations))
		}
		out[key] = resp.Confirmations[0].PartitionId
	}
	check(json.NewEncoder(os.Stdout).Encode(map[string]any{"partitions": out}), "encode")
}

func cmdConsume(ctx context.Context, s spec) {
	cli := newClient(ctx, true)
	defer cli.Close()
	consumer := iggcon.NewSingleConsumer(nameID("interop-go-dump"))
	dump := []messageDump{}
	for p := uint32(0); p < s.Partitions; p++ {
		part := p
		next := uint64(0)
		for {
			polled, err := cli.PollMessages(ctx, nameID(s.Stream), nameID(s.Topic), consumer,
				iggcon.OffsetPollingStrategy(next), 100, false, &part)
			check(err, "PollMessages")
			if len(polled.Messages) == 0 {
				break
			}
			for _, m := range polled.Messages {
				dump = append(dump, dumpMessage(part, m))
				next = m.Header.Offset + 1
			}
		}
	}
	sort.SliceStable(dump, func(i, j int) bool {
		if dump[i].Partition != dump[j].Partition {
			return dump[i].Partition < dump[j].Partition
		}
		return dump[i].Offset < dump[j].Offset
	})
	check(json.NewEncoder(os.Stdout).Encode(map[string]any{"messages": dump}), "encode")
}

// ---------------------------------------------------------------- scenario

type stepper struct{ n int }

func (s *stepper) ok(name string, detail any) {
	s.n++
	line, _ := json.Marshal(map[string]any{"step": name, "ok": true, "detail": detail})
	fmt.Println(string(line))
}

func expect(cond bool, format string, args ...any) {
	if !cond {
		die(format, args...)
	}
}

func offsets(msgs []iggcon.IggyMessage) []uint64 {
	var o []uint64
	for _, m := range msgs {
		o = append(o, m.Header.Offset)
	}
	return o
}

func cmdScenario(ctx context.Context, prefix string) {
	st := &stepper{}
	cli := newClient(ctx, false)
	defer cli.Close()
	check(cli.Ping(ctx), "Ping before login")
	st.ok("ping", nil)
	ident, err := cli.LoginUser(ctx, env("IGGY_USERNAME", "iggy"), env("IGGY_PASSWORD", "iggy"))
	check(err, "LoginUser")
	st.ok("login_user", map[string]any{"user_id": ident.UserId})

	streamName := prefix + "-stream"
	stream, err := cli.CreateStream(ctx, streamName)
	check(err, "CreateStream")
	expect(stream.Name == streamName, "CreateStream returned name %q", stream.Name)
	st.ok("create_stream", map[string]any{"id": stream.Id, "name": stream.Name})
	sid := nameID(streamName)

	got, err := cli.GetStream(ctx, sid)
	check(err, "GetStream")
	expect(got.Id == stream.Id && got.Name == streamName, "GetStream mismatch: %+v", got)
	streams, err := cli.GetStreams(ctx)
	check(err, "GetStreams")
	found := false
	for _, s := range streams {
		found = found || s.Name == streamName
	}
	expect(found, "GetStreams does not list %q", streamName)
	st.ok("get_stream(s)", map[string]any{"streams": len(streams)})

	const partitions = 3
	topicName := "events"
	topic, err := cli.CreateTopic(ctx, sid, topicName, partitions, iggcon.CompressionAlgorithmNone,
		iggcon.IggyExpiryServerDefault, 0)
	check(err, "CreateTopic")
	expect(topic.Name == topicName && topic.PartitionsCount == partitions, "CreateTopic returned %+v", topic)
	st.ok("create_topic", map[string]any{"id": topic.Id, "partitions": topic.PartitionsCount})
	tid := nameID(topicName)
	gt, err := cli.GetTopic(ctx, sid, tid)
	check(err, "GetTopic")
	expect(len(gt.Partitions) == partitions, "GetTopic partitions %d", len(gt.Partitions))
	topics, err := cli.GetTopics(ctx, sid)
	check(err, "GetTopics")
	expect(len(topics) == 1 && topics[0].Name == topicName, "GetTopics: %+v", topics)
	st.ok("get_topic(s)", nil)

	// Send 3 batches of 4 messages to partition 0, with headers, in separate batches
	// so that they get distinct broker timestamps.
	const batches, perBatch = 3, 4
	for b := 0; b < batches; b++ {
		var msgs []iggcon.IggyMessage
		for i := 0; i < perBatch; i++ {
			n := b*perBatch + i
			key, _ := iggcon.NewHeaderKeyString("n")
			hdr := iggcon.HeaderEntry{Key: key, Value: iggcon.HeaderValue{Kind: iggcon.Uint32,
				Value: binary.LittleEndian.AppendUint32(nil, uint32(n))}}
			var id [16]byte
			id[0] = byte(n + 1)
			m, err := iggcon.NewIggyMessage([]byte(fmt.Sprintf("message-%d", n)), iggcon.WithID(id),
				iggcon.WithUserHeaders([]iggcon.HeaderEntry{hdr}))
			check(err, "NewIggyMessage")
			msgs = append(msgs, m)
		}
		resp, err := cli.SendMessages(ctx, sid, tid, iggcon.PartitionId(0), msgs)
		check(err, "SendMessages")
		expect(len(resp.Confirmations) == 1 && resp.Confirmations[0].PartitionId == 0 &&
			resp.Confirmations[0].BaseOffset == uint64(b*perBatch),
			"SendMessages confirmations %+v", resp.Confirmations)
		time.Sleep(5 * time.Millisecond)
	}
	st.ok("send_messages", map[string]any{"messages": batches * perBatch})
	// Balanced and key partitioning (resolved client-side).
	bal, _ := iggcon.NewIggyMessage([]byte("balanced"))
	resp, err := cli.SendMessages(ctx, sid, tid, iggcon.None(), []iggcon.IggyMessage{bal})
	check(err, "SendMessages(balanced)")
	expect(len(resp.Confirmations) == 1, "balanced confirmations %+v", resp.Confirmations)
	keyed, _ := iggcon.NewIggyMessage([]byte("keyed"))
	kp, _ := iggcon.EntityIdString("user-42")
	resp, err = cli.SendMessages(ctx, sid, tid, kp, []iggcon.IggyMessage{keyed})
	check(err, "SendMessages(key)")
	st.ok("send_messages(balanced,key)", map[string]any{"key_partition": resp.Confirmations[0].PartitionId})

	p0 := uint32(0)
	single := iggcon.NewSingleConsumer(nameID("go-consumer"))
	poll := func(strategy iggcon.PollingStrategy, count uint32, auto bool) *iggcon.PolledMessage {
		pm, err := cli.PollMessages(ctx, sid, tid, single, strategy, count, auto, &p0)
		check(err, fmt.Sprintf("PollMessages(kind %d)", strategy.Kind))
		return pm
	}
	// offset
	pm := poll(iggcon.OffsetPollingStrategy(2), 5, false)
	expect(fmt.Sprint(offsets(pm.Messages)) == "[2 3 4 5 6]", "offset poll: %v", offsets(pm.Messages))
	expect(pm.PartitionId == 0 && pm.CurrentOffset >= 11, "offset poll partition %d current %d", pm.PartitionId, pm.CurrentOffset)
	m := pm.Messages[0]
	expect(string(m.Payload) == "message-2" && m.Header.Id[0] == 3, "offset poll payload/id %q %v", m.Payload, m.Header.Id)
	hdrs, err := iggcon.DeserializeHeaders(m.UserHeaders)
	check(err, "DeserializeHeaders")
	expect(len(hdrs) == 1 && string(hdrs[0].Key.Value) == "n" && hdrs[0].Value.Kind == iggcon.Uint32 &&
		binary.LittleEndian.Uint32(hdrs[0].Value.Value) == 2, "headers %+v", hdrs)
	expect(m.Header.Timestamp > 0 && m.Header.OriginTimestamp > 0, "timestamps %d %d", m.Header.Timestamp, m.Header.OriginTimestamp)
	st.ok("poll(offset)", offsets(pm.Messages))
	// first
	pm = poll(iggcon.FirstPollingStrategy(), 3, false)
	expect(fmt.Sprint(offsets(pm.Messages)) == "[0 1 2]", "first poll: %v", offsets(pm.Messages))
	st.ok("poll(first)", offsets(pm.Messages))
	// last
	pm = poll(iggcon.LastPollingStrategy(), 2, false)
	last := offsets(pm.Messages)
	expect(len(last) == 2 && last[1] == pm.CurrentOffset && last[0] == pm.CurrentOffset-1, "last poll: %v (current %d)", last, pm.CurrentOffset)
	st.ok("poll(last)", last)
	// timestamp: the third batch's broker timestamp selects offset 8 onwards.
	all := poll(iggcon.OffsetPollingStrategy(0), 100, false)
	ts := all.Messages[8].Header.Timestamp
	expect(all.Messages[7].Header.Timestamp < ts, "batches share a timestamp: %d %d", all.Messages[7].Header.Timestamp, ts)
	pm = poll(iggcon.TimestampPollingStrategy(ts), 100, false)
	expect(len(pm.Messages) > 0 && pm.Messages[0].Header.Offset == 8, "timestamp poll: %v", offsets(pm.Messages))
	st.ok("poll(timestamp)", offsets(pm.Messages))
	// next with auto-commit: 0..4, then 5..9.
	pm = poll(iggcon.NextPollingStrategy(), 5, true)
	expect(fmt.Sprint(offsets(pm.Messages)) == "[0 1 2 3 4]", "next poll 1: %v", offsets(pm.Messages))
	pm = poll(iggcon.NextPollingStrategy(), 5, true)
	expect(fmt.Sprint(offsets(pm.Messages)) == "[5 6 7 8 9]", "next poll 2: %v", offsets(pm.Messages))
	st.ok("poll(next,auto_commit)", offsets(pm.Messages))

	// consumer offsets
	off, err := cli.GetConsumerOffset(ctx, single, sid, tid, &p0)
	check(err, "GetConsumerOffset")
	expect(off != nil && off.StoredOffset == 9 && off.PartitionId == 0, "auto-committed offset %+v", off)
	check(cli.StoreConsumerOffset(ctx, single, sid, tid, 3, &p0), "StoreConsumerOffset")
	off, err = cli.GetConsumerOffset(ctx, single, sid, tid, &p0)
	check(err, "GetConsumerOffset")
	expect(off != nil && off.StoredOffset == 3 && off.CurrentOffset >= 11, "stored offset %+v", off)
	pm = poll(iggcon.NextPollingStrategy(), 1, false)
	expect(fmt.Sprint(offsets(pm.Messages)) == "[4]", "next after store: %v", offsets(pm.Messages))
	other := iggcon.NewSingleConsumer(nameID("nobody"))
	off, err = cli.GetConsumerOffset(ctx, other, sid, tid, &p0)
	check(err, "GetConsumerOffset(unknown consumer)")
	expect(off == nil, "offset of an unknown consumer: %+v", off)
	check(cli.DeleteConsumerOffset(ctx, single, sid, tid, &p0), "DeleteConsumerOffset")
	off, err = cli.GetConsumerOffset(ctx, single, sid, tid, &p0)
	check(err, "GetConsumerOffset(after delete)")
	expect(off == nil, "offset after delete: %+v", off)
	st.ok("consumer_offsets", nil)

	// consumer groups
	group, err := cli.CreateConsumerGroup(ctx, sid, tid, "go-group")
	check(err, "CreateConsumerGroup")
	expect(group.Name == "go-group" && group.PartitionsCount == partitions, "CreateConsumerGroup %+v", group)
	gid := nameID("go-group")
	check(cli.JoinConsumerGroup(ctx, sid, tid, gid), "JoinConsumerGroup")
	gd, err := cli.GetConsumerGroup(ctx, sid, tid, gid)
	check(err, "GetConsumerGroup")
	expect(gd.MembersCount == 1 && len(gd.Members) == 1 && gd.Members[0].PartitionsCount == partitions,
		"group after join %+v", gd)
	groups, err := cli.GetConsumerGroups(ctx, sid, tid)
	check(err, "GetConsumerGroups")
	expect(len(groups) == 1 && groups[0].MembersCount == 1, "GetConsumerGroups %+v", groups)
	asg, err := cli.SyncConsumerGroup(ctx, sid, tid, gid)
	check(err, "SyncConsumerGroup")
	sort.Slice(asg.Partitions, func(i, j int) bool { return asg.Partitions[i] < asg.Partitions[j] })
	expect(fmt.Sprint(asg.Partitions) == "[0 1 2]", "assignment %+v", asg)
	st.ok("consumer_group(create,join,sync)", map[string]any{"generation": asg.Generation, "partitions": asg.Partitions})
	gc := iggcon.NewGroupConsumer(gid)
	total := 0
	for i := 0; i < 10 && total < 14; i++ {
		gp, err := cli.PollMessages(ctx, sid, tid, gc, iggcon.NextPollingStrategy(), 100, true, nil)
		check(err, "PollMessages(group, assignment)")
		total += len(gp.Messages)
	}
	expect(total == 14, "group polled %d messages, want 14", total)
	gp, err := cli.PollMessages(ctx, sid, tid, gc, iggcon.OffsetPollingStrategy(0), 2, false, &p0)
	check(err, "PollMessages(group, partition 0)")
	expect(fmt.Sprint(offsets(gp.Messages)) == "[0 1]", "group poll p0: %v", offsets(gp.Messages))
	check(cli.StoreConsumerOffset(ctx, gc, sid, tid, 1, &p0), "StoreConsumerOffset(group)")
	goff, err := cli.GetConsumerOffset(ctx, gc, sid, tid, &p0)
	check(err, "GetConsumerOffset(group)")
	expect(goff != nil && goff.StoredOffset == 1, "group offset %+v", goff)
	st.ok("consumer_group(poll,offsets)", map[string]any{"polled": total})
	check(cli.LeaveConsumerGroup(ctx, sid, tid, gid), "LeaveConsumerGroup")
	gd, err = cli.GetConsumerGroup(ctx, sid, tid, gid)
	check(err, "GetConsumerGroup(after leave)")
	expect(gd.MembersCount == 0, "members after leave %+v", gd)
	_, err = cli.SyncConsumerGroup(ctx, sid, tid, gid)
	expect(errors.Is(err, ierror.ErrConsumerGroupMemberNotFound), "sync after leave: %v", err)
	check(cli.DeleteConsumerGroup(ctx, sid, tid, gid), "DeleteConsumerGroup")
	st.ok("consumer_group(leave,delete)", nil)

	// personal access tokens
	patName := prefix + "-pat"
	raw, err := cli.CreatePersonalAccessToken(ctx, patName, 0)
	check(err, "CreatePersonalAccessToken")
	expect(len(raw.Token) > 0, "empty token")
	// Known Go SDK bug (docs/COMPATIBILITY.md): CreatePersonalAccessToken writes its uint32
	// expiry into the upper 4 bytes of the u64 µs field, so the server sees expiry << 32 µs.
	expName := prefix + "-pat-exp"
	before := uint64(time.Now().UnixMicro())
	_, err = cli.CreatePersonalAccessToken(ctx, expName, 3600)
	check(err, "CreatePersonalAccessToken(expiry 3600)")
	pats, err := cli.GetPersonalAccessTokens(ctx)
	check(err, "GetPersonalAccessTokens")
	found = false
	var expiryRaw uint64
	for _, p := range pats {
		switch p.Name {
		case patName:
			found = true
			// Known Go SDK bug: expiry_at 0 (never) is decoded as time.Unix(0, 0), not nil;
			// the decoder reads the µs value as nanoseconds.
			expect(p.Expiry == nil || p.Expiry.UnixNano() == 0, "never-expiring token lists expiry %v", p.Expiry)
		case expName:
			expect(p.Expiry != nil, "expiring token lists no expiry")
			expiryRaw = uint64(p.Expiry.UnixNano()) // the raw µs value on the wire
		}
	}
	expect(found && expiryRaw != 0, "GetPersonalAccessTokens does not list both tokens: %+v", pats)
	want := before + 3600<<32
	expect(expiryRaw >= want && expiryRaw < want+120_000_000,
		"expiry_at %d: expected the server to see 3600<<32 µs (about %d)", expiryRaw, want)
	st.ok("sdk_deviation", map[string]any{
		"bug":                 "CreatePersonalAccessToken(expiry=3600) sends expiry bytes 00000000100e0000 (3600<<32 µs)",
		"listed_expiry_at_us": expiryRaw, "expected_with_seconds": before + 3600*1_000_000,
	})
	st.ok("sdk_deviation", map[string]any{
		"bug": "GetPersonalAccessTokens decodes expiry_at (µs) as nanoseconds; 0 (never) becomes 1970-01-01",
	})
	pc := newClient(ctx, false)
	pid, err := pc.LoginWithPersonalAccessToken(ctx, raw.Token)
	check(err, "LoginWithPersonalAccessToken")
	expect(pid.UserId == ident.UserId, "PAT login user %d, want %d", pid.UserId, ident.UserId)
	_, err = pc.GetStream(ctx, sid)
	check(err, "GetStream with a PAT session")
	pc.Close()
	check(cli.DeletePersonalAccessToken(ctx, patName), "DeletePersonalAccessToken")
	check(cli.DeletePersonalAccessToken(ctx, expName), "DeletePersonalAccessToken")
	pats, err = cli.GetPersonalAccessTokens(ctx)
	if errors.Is(err, ierror.ErrEmptyMessagePayload) {
		// Known Go SDK bug: an empty token list (empty body) is reported as an error.
		st.ok("sdk_deviation", map[string]any{"bug": "GetPersonalAccessTokens returns ErrEmptyMessagePayload for an empty list"})
		pats, err = nil, nil
	}
	check(err, "GetPersonalAccessTokens(after delete)")
	for _, p := range pats {
		expect(p.Name != patName && p.Name != expName, "deleted token still listed")
	}
	bad := newClient(ctx, false)
	_, err = bad.LoginWithPersonalAccessToken(ctx, raw.Token)
	expect(err != nil, "login with a deleted token succeeded")
	bad.Close()
	st.ok("personal_access_tokens(create,list,login,delete)", nil)

	// cleanup
	check(cli.DeleteTopic(ctx, sid, tid), "DeleteTopic")
	check(cli.DeleteStream(ctx, sid), "DeleteStream")
	_, err = cli.GetStream(ctx, sid)
	expect(err != nil, "stream still there after delete")
	check(cli.LogoutUser(ctx), "LogoutUser")
	st.ok("cleanup,logout", nil)
	fmt.Printf("iggy-go-peer scenario: %d steps passed\n", st.n)
}
