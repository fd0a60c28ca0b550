bench:
	bash bench/run.sh

test:
	go test -race -count=1 ./...
