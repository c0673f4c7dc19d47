# The two front doors: `make demo` and `make test`. Every target installs what it needs.
.PHONY: build demo test sim clean bench fuzz load

build:
	scripts/build.sh

demo:
	scripts/demo.sh

test:
	scripts/test.sh

sim:
	cargo run --release -p tcb-sim -- --port 8787

clean:
	rm -rf build pkg target

bench:
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh

load:
	scripts/load.sh
