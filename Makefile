# The two commands of the quick start, plus the pieces they are made of.
#   make run    install what is missing, build, start Warden
#   make test   install what is missing, build, run every test
PRESET ?= release
BUILD_DIR := build
JOBS ?= $(shell nproc)

.PHONY: deps build run test bench fuzz lint clean

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
	@bash -c 'W=$(BUILD_DIR)/warden; C=examples/agent.yaml; \
	  $$W agent --config $$C --check >/dev/null || exit 2; \
	  S=$$($$W agent --config $$C --check | sed -n "s/.*; state \(.*\))$$/\1/p"); \
	  echo "Warden agent on this host with $$C (Ctrl-C stops it)."; \
	  echo "  problems  printed below as they open and resolve; list them: $$W agent problems"; \
	  echo "            kept in $$S/state.db, events also in $$S/problems.jsonl"; \
	  echo "  results   scheduled query results (osquery result-log JSON) in $$S/results.jsonl"; \
	  echo "  schedule  $$W agent status  (last run, duration, result and next run of each job)"; \
	  echo "  SQL       $$W shell  or  $$W query \"SELECT * FROM listening_ports\""; \
	  if ! $$W feed status >/dev/null 2>&1; then \
	    echo "  vulns     no vulnerability feed imported yet: HOST-VULN says skipped until you import one, e.g."; \
	    echo "            $$W feed import debian-security-tracker.json  (or an OSV all.zip, an Oracle OVAL .xml.bz2)"; \
	    echo "            then: $$W agent run-now HOST-VULN   (docs/agent.md)"; \
	  fi; echo; \
	  $$W agent --config $$C & pid=$$!; \
	  trap "kill $$pid 2>/dev/null; wait $$pid; exit 0" INT TERM; \
	  sleep 6; kill -0 $$pid 2>/dev/null || exit 2; echo; \
	  $$W agent status --config $$C --format table; echo; \
	  $$W agent problems --config $$C --format table; echo; \
	  echo "The agent keeps running (pid $$pid); new problems print below. Ctrl-C stops it."; \
	  wait $$pid'

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash bench/run_all.sh

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@bash fuzz/run_all.sh build-fuzz 60

lint:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build build-dev build-asan build-fuzz
