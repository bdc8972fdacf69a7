# Targets take no shortcuts: `make test` runs every test against real
# PostgreSQL and S3 servers, which cmd/testrun finds or starts.

.PHONY: build web run test check-imports check-vulns bench

# Build and test with the Go release that has no known vulnerabilities
# (govulncheck finds net/http, crypto/x509 and html/template fixes in
# 1.26.9-1.26.10). The Go module proxy serves it; an explicit GOTOOLCHAIN
# in the environment still wins.
export GOTOOLCHAIN ?= go1.26.10+auto

# The complete binary: the browser apps and the WebAssembly engine (web/build,
# esbuild's Go API, no Node) embedded into the server.
build: web
	go build -o var/bin/patrolsync ./cmd/patrolsync

# Only the browser apps, into web/dist (embedded by the next go build).
web:
	go run ./web/build

# The server with the embedded defaults (SQLite file, local blob directory);
# the guard app is at http://127.0.0.1:8080/app/, the console at /console/.
run: build
	./var/bin/patrolsync serve --demo

# Import rules, the web build, go vet, then go test with services (PostgreSQL,
# S3, Chromium for the browser tests). Pass go test arguments
# with TESTARGS, e.g. make test TESTARGS="-count=1 -run TestContract ./internal/blob/...".
test:
	go run ./cmd/testrun $(TESTARGS)

# Each vendor SDK lives in one package; checklists/ stays dependency-free.
check-imports:
	go run ./cmd/testrun check-imports

# Load test, kept out of `make test`: builds the server, starts it on a
# fresh database patrolsync_bench_<random> (TEST_DATABASE_URL or the local
# PostgreSQL) with its media in a versitygw S3 started on loopback, runs
# short guards' days from simulated devices (sign-in, full pull, rounds,
# inspections with photos, incremental pulls), stops everything and drops
# the database. The full runs are in docs/benchmarks.md; the push-ingest
# figure is BENCHARGS='--devices 200 --duration 30s --warmup 5s'.
BENCHARGS ?= --scenario day --blobs s3 --devices 20 --duration 10s --warmup 3s
bench:
	@dir=$$(mktemp -d) && go build -o $$dir/patrolsync ./cmd/patrolsync && \
		go run ./bench --spawn $$dir/patrolsync $(BENCHARGS); status=$$?; rm -rf $$dir; exit $$status

# govulncheck against a database built from the Go module proxy (see cmd/testrun/vulncheck.go).
check-vulns:
	go run ./cmd/testrun check-vulns
