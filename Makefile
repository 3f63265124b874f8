# The commands of the quick start, plus the pieces they are made of.
#   make run       install what is missing, build, start Warden
#   make install   build warden and install it as $(PREFIX)/bin/warden
#   make test      install what is missing, build, run every test
PRESET ?= release
BUILD_DIR := build
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local

.PHONY: deps build run install uninstall test bench fuzz lint clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# `make run` starts the host agent with examples/agent.yaml (every key is
# documented there): open-port and vulnerability detectors, scheduled queries,
# problems in the state directory. It shows status and problems after the
# first runs, then keeps running in the foreground until Ctrl-C.
run: build
	@bash scripts/run-agent.sh $(BUILD_DIR)/warden examples/agent.yaml

# Only the warden binary is built; DESTDIR stages the install for packaging.
install: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target warden
	@install -D -m 0755 $(BUILD_DIR)/warden $(DESTDIR)$(PREFIX)/bin/warden
	@echo "installed $(DESTDIR)$(PREFIX)/bin/warden ($$($(DESTDIR)$(PREFIX)/bin/warden --version))"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/warden

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash bench/run_all.sh

# Every fuzz target for FUZZ_SECONDS each, FUZZ_JOBS at a time (default one
# after the other); each run is bounded by an outer timeout, so this always
# ends. Corpora, logs and crash artifacts go to build-fuzz/fuzz-work/; any
# finding fails the target.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@FUZZ_JOBS=$(FUZZ_JOBS) bash fuzz/run_all.sh build-fuzz $(FUZZ_SECONDS)

lint:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build build-dev build-asan build-fuzz
