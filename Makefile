.PHONY: bench test

# The load and fault suite (about 12 minutes); rewrites BENCHMARKS.md.
bench:
	bash bench/run.sh

test:
	go test -race -count=1 ./...
