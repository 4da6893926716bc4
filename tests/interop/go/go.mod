module github.com/libiggy/interop/gopeer

go 1.25.0

require github.com/apache/iggy/foreign/go v0.0.0-20260821114428-cc269ef70ef2

require (
	github.com/avast/retry-go/v5 v5.0.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/klauspost/cpuid/v2 v2.2.10 // indirect
	github.com/zeebo/xxh3 v1.1.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
)

// The Go module proxy reachable from this project's machines refuses
// github.com/apache/iggy/foreign/go (403 "This module version is not available").
// third_party/iggy-go is that module at commit cc269ef70ef2d78af5102f5560b5b03c9dd81401,
// unmodified except that *_test.go files, benchmarks/ and tests/ are left out
// (third_party/PROVENANCE and setup.sh verify it). When the proxy serves the
// pseudo-version, setup.sh also checks the copy against the proxy's archive.
replace github.com/apache/iggy/foreign/go => ./third_party/iggy-go
