// Benchmark modes of iggy-go-peer, shaped like iggy-bench's pinned kinds with one actor
// (BENCHMARKS.md §1), on the official Go SDK's low-level client:
//
//	iggy-go-peer pp [-m 1000] [-P 1000] [-b 1000] [--server-address H:P] [--reuse-streams]
//	iggy-go-peer pc [-m 1000] [-P 1000] [-b 1000] [--server-address H:P] [--consumer-id 1]
//
// pp recreates stream bench-stream-1 with topic topic-1 (one partition, unlimited size, no
// expiry) unless --reuse-streams, builds one batch of -P messages with random alphanumeric
// payloads of -m bytes once, and sends it -b times to partition 0, restamping origin_timestamp
// before each send. pc polls partition 0 of bench-stream-1/topic-1 by offset (-P per poll,
// auto-commit off, advancing the offset itself) until -b non-empty polls; empty polls are not
// recorded. Only the send or poll call is timed; connect, login and setup are not.
//
// Prints one JSON line: messages, bytes (user payload), seconds (first send/poll to the last
// reply), messages_per_s, mb_per_s (decimal), p50_ms and p99_ms over the per-batch latencies
// (linear interpolation at rank p/100*(n-1), as iggy-bench), and this process's getrusage
// user/sys CPU seconds. The server address defaults to IGGY_ADDR, then 127.0.0.1:8090; the
// credentials come from IGGY_USERNAME / IGGY_PASSWORD (default iggy/iggy).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"syscall"
	"time"

	"github.com/apache/iggy/foreign/go/client"
	"github.com/apache/iggy/foreign/go/client/tcp"
	iggcon "github.com/apache/iggy/foreign/go/contracts"
)

type benchArgs struct {
	size, perBatch, batches int
	addr, stream, topic     string
	reuse, nodelay          bool
	consumerID              uint
	timeout                 time.Duration
}

func benchClient(ctx context.Context, a *benchArgs) iggcon.Client {
	cli, err := client.NewIggyClient(client.WithTcp(tcp.WithServerAddress(a.addr),
		tcp.WithNoDelay(a.nodelay)))
	check(err, "NewIggyClient")
	check(cli.Connect(ctx), "Connect")
	_, err = cli.LoginUser(ctx, env("IGGY_USERNAME", "iggy"), env("IGGY_PASSWORD", "iggy"))
	check(err, "LoginUser")
	return cli
}

// percentile over sorted samples, linear interpolation at rank p/100*(n-1).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := p / 100 * float64(len(sorted)-1)
	lo, hi := int(math.Floor(rank)), int(math.Ceil(rank))
	return sorted[lo] + (sorted[hi]-sorted[lo])*(rank-float64(lo))
}

func randomAlnum(n int) []byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.Intn(len(alphabet))]
	}
	return b
}

func prepareStream(ctx context.Context, a *benchArgs) {
	admin := benchClient(ctx, a)
	defer admin.Close()
	streams, err := admin.GetStreams(ctx)
	check(err, "GetStreams")
	exists := false
	for _, s := range streams {
		exists = exists || s.Name == a.stream
	}
	if exists && a.reuse {
		return
	}
	sid := nameID(a.stream)
	if exists {
		check(admin.DeleteStream(ctx, sid), "DeleteStream")
	}
	_, err = admin.CreateStream(ctx, a.stream)
	check(err, "CreateStream")
	_, err = admin.CreateTopic(ctx, sid, a.topic, 1, iggcon.CompressionAlgorithmNone,
		iggcon.IggyExpiryNeverExpire, math.MaxUint64)
	check(err, "CreateTopic")
}

type benchResult struct {
	latencies       []float64 // ms per batch
	messages, bytes uint64
	batches         int
	seconds         float64
}

func runProducer(ctx context.Context, a *benchArgs) benchResult {
	prepareStream(ctx, a)
	cli := benchClient(ctx, a)
	defer cli.Close()
	sid, tid := nameID(a.stream), nameID(a.topic)
	part := iggcon.PartitionId(0)
	payloads := randomAlnum(a.size * a.perBatch)
	msgs := make([]iggcon.IggyMessage, a.perBatch)
	for i := range msgs {
		m, err := iggcon.NewIggyMessage(payloads[i*a.size : (i+1)*a.size])
		check(err, "NewIggyMessage")
		msgs[i] = m
	}
	r := benchResult{latencies: make([]float64, 0, a.batches)}
	start := time.Now()
	for i := 0; i < a.batches; i++ {
		now := uint64(time.Now().UnixMicro())
		for j := range msgs {
			msgs[j].Header.OriginTimestamp = now
		}
		t0 := time.Now()
		_, err := cli.SendMessages(ctx, sid, tid, part, msgs)
		lat := time.Since(t0)
		check(err, "SendMessages")
		r.latencies = append(r.latencies, float64(lat.Nanoseconds())/1e6)
		r.messages += uint64(len(msgs))
		r.bytes += uint64(a.size * len(msgs))
		r.batches++
	}
	r.seconds = time.Since(start).Seconds()
	return r
}

func runConsumer(ctx context.Context, a *benchArgs) benchResult {
	cli := benchClient(ctx, a)
	defer cli.Close()
	sid, tid := nameID(a.stream), nameID(a.topic)
	_, err := cli.GetTopic(ctx, sid, tid)
	check(err, "GetTopic "+a.stream+"/"+a.topic+" (run pp first)")
	consumer := iggcon.NewSingleConsumer(numID(uint32(a.consumerID)))
	p0 := uint32(0)
	offset := uint64(0)
	r := benchResult{latencies: make([]float64, 0, a.batches)}
	start := time.Now()
	lastData := start
	for r.batches < a.batches {
		t0 := time.Now()
		pm, err := cli.PollMessages(ctx, sid, tid, consumer, iggcon.OffsetPollingStrategy(offset),
			uint32(a.perBatch), false, &p0)
		lat := time.Since(t0)
		check(err, "PollMessages")
		if len(pm.Messages) == 0 {
			if time.Since(lastData) > 10*time.Second {
				die("partition 0 of %s/%s holds only %d messages, %d wanted (run pp first)",
					a.stream, a.topic, offset, a.perBatch*a.batches)
			}
			continue
		}
		lastData = time.Now()
		for i := range pm.Messages {
			r.bytes += uint64(len(pm.Messages[i].Payload))
		}
		offset += uint64(len(pm.Messages))
		r.messages += uint64(len(pm.Messages))
		r.latencies = append(r.latencies, float64(lat.Nanoseconds())/1e6)
		r.batches++
	}
	r.seconds = time.Since(start).Seconds()
	return r
}

func cmdBench(kind string, argv []string) int {
	a := &benchArgs{}
	fs := flag.NewFlagSet("iggy-go-peer "+kind, flag.ContinueOnError)
	fs.IntVar(&a.size, "m", 1000, "message size in bytes")
	fs.IntVar(&a.perBatch, "P", 1000, "messages per batch")
	fs.IntVar(&a.batches, "b", 1000, "message batches")
	defAddr := env("IGGY_ADDR", "127.0.0.1:8090")
	fs.StringVar(&a.addr, "server-address", defAddr, "server host:port (default IGGY_ADDR)")
	fs.StringVar(&a.stream, "stream", "bench-stream-1", "stream name")
	fs.StringVar(&a.topic, "topic", "topic-1", "topic name")
	fs.BoolVar(&a.reuse, "reuse-streams", false, "pp: append to an existing stream")
	fs.BoolVar(&a.nodelay, "nodelay", false, "TCP_NODELAY (iggy-bench's default is off)")
	fs.UintVar(&a.consumerID, "consumer-id", 1, "pc: numeric consumer id")
	fs.DurationVar(&a.timeout, "timeout", 600*time.Second, "give up after this long")
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if a.size < 1 || a.perBatch < 1 || a.batches < 1 || fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "iggy-go-peer: -m, -P and -b must be positive; no positional arguments")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	var r benchResult
	name := "pinned_producer"
	if kind == "pp" || kind == "pinned-producer" {
		r = runProducer(ctx, a)
	} else {
		name = "pinned_consumer"
		r = runConsumer(ctx, a)
	}
	var ru syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &ru), "getrusage")
	sort.Float64s(r.latencies)
	out := map[string]any{
		"tool": "go-sdk", "kind": name, "message_size": a.size, "messages_per_batch": a.perBatch,
		"batches": r.batches, "messages": r.messages, "bytes": r.bytes, "seconds": r.seconds,
		"messages_per_s": float64(r.messages) / r.seconds,
		"mb_per_s":       float64(r.bytes) / 1e6 / r.seconds,
		"p50_ms":         percentile(r.latencies, 50), "p99_ms": percentile(r.latencies, 99),
		"user_cpu_s": float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6,
		"sys_cpu_s":  float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6,
	}
	line, err := json.Marshal(out)
	check(err, "json")
	fmt.Println(string(line))
	return 0
}
