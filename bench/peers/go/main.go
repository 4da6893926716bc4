// iggy-go-peer: libiggy's peer program on the official Iggy Go SDK
// (github.com/apache/iggy/foreign/go at commit cc269ef70ef2). It is not vendored: go.mod requires
// the module and bench/peers/go/build.sh adds `replace ... => $IGGY_GO_SDK` (a local checkout)
// in a copy under the build directory; see docs/BENCHMARKING.md.
//
//	iggy-go-peer scenario|produce|consume|produce-keys ...   interop commands (interop.go)
//	iggy-go-peer pp|pinned-producer [flags]                  benchmark modes (bench.go)
//	iggy-go-peer pc|pinned-consumer [flags]
package main

import (
	"context"
	"os"
	"time"
)

func usage() {
	die("usage: iggy-go-peer scenario PREFIX | produce|consume|produce-keys SPEC.json | " +
		"pp|pc [-m SIZE] [-P MESSAGES_PER_BATCH] [-b BATCHES] [--server-address H:P] " +
		"[--reuse-streams] [--nodelay]")
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "pp", "pinned-producer", "pc", "pinned-consumer":
		os.Exit(cmdBench(os.Args[1], os.Args[2:]))
	}
	if len(os.Args) < 3 {
		usage()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	switch os.Args[1] {
	case "scenario":
		cmdScenario(ctx, os.Args[2])
	case "produce":
		cmdProduce(ctx, readSpec(os.Args[2]))
	case "consume":
		cmdConsume(ctx, readSpec(os.Args[2]))
	case "produce-keys":
		cmdProduceKeys(ctx, readSpec(os.Args[2]))
	default:
		die("unknown command %q", os.Args[1])
	}
}
