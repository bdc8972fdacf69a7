# Targets take no shortcuts: `make test` runs every test against real
# PostgreSQL and S3 servers, which cmd/testrun finds or starts.

.PHONY: run test check-imports

# The server with the embedded defaults (SQLite file, local blob directory).
run:
	go build -o var/bin/patrolsync ./cmd/patrolsync
	./var/bin/patrolsync serve --demo

# Import rules, go vet, then go test with services. Pass go test arguments
# with TESTARGS, e.g. make test TESTARGS="-count=1 -run TestContract ./internal/blob/...".
test:
	go run ./cmd/testrun $(TESTARGS)

# Each vendor SDK lives in one package; checklists/ stays dependency-free.
check-imports:
	go run ./cmd/testrun check-imports
