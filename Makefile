# The commands of the quick start, plus the pieces they are made of.
#   make run       install what is missing, build, start the Warden server and agent
#   make install   build warden and the console; install $(PREFIX)/bin/warden and
#                  $(PREFIX)/share/warden/console
#   make test      install what is missing, build, run every test
#   make package   the Debian packages warden, warden-agent, warden-server in
#                  build/packages (docs/deploy.md)
#   make web       build the web console into web/dist (make build does it too)
# PRESET picks the build mode of CMakePresets.json, and with it the folder:
#   make build PRESET=dev   builds in build-dev/ (release: build/, asan: build-asan/, ...)
SHELL := /bin/bash
PRESET ?= release
# The preset's binaryDir in CMakePresets.json: build/ for release, build-NAME/ for the others.
BUILD_DIR = $(if $(filter release,$(PRESET)),build,build-$(PRESET))
JOBS ?= $(shell nproc)
STARTED := $(shell date +%s)
empty :=
space := $(empty) $(empty)
PREFIX ?= /usr/local

.PHONY: deps configure build web web-test run install uninstall package test tsan bench fuzz lint clean

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null
	@test -f $(BUILD_DIR)/CMakeCache.txt || { echo "make: preset $(PRESET) did not configure \
	$(BUILD_DIR)/: keep BUILD_DIR in the Makefile in step with CMakePresets.json" >&2; exit 2; }

build: configure web
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The web console (web/, docs/console.md): `npm ci` when package-lock.json is
# newer than the last install, then the API types generated from
# api/openapi.yaml and the table list from the C++ tables, the type check and `vite build` into web/dist, only when
# a source changed. Nothing is fetched at run time; no browser is downloaded
# (the browser suite drives Debian's chromium).
# The C++ files declaring SQL tables feed the query editor's table list
# (web/scripts/gen-tables.mjs).
WEB_SOURCES := $(shell find web/src web/scripts web/index.html web/vite.config.ts web/tsconfig.json -type f -not -path 'web/src/generated/*' 2>/dev/null) api/openapi.yaml \
  $(shell grep -rl --include='*.cc' 'TableSchema' src 2>/dev/null)
web: web/dist/index.html
web/node_modules/.stamp-npm-ci: web/package-lock.json web/package.json
	@cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@
web/dist/index.html: web/node_modules/.stamp-npm-ci $(WEB_SOURCES)
	@cd web && npm run --silent build
	@touch $@

# The console's unit tests (Vitest) and its browser suite (Playwright driving
# /usr/bin/chromium against a real server and agent; web/tests/browser).
web-test: web
	@cd web && npm test --silent
	@cd web && WARDEN_BIN=$(CURDIR)/$(BUILD_DIR)/warden npx playwright test

# `make run` starts the control-plane server with examples/server.yaml (its
# URL, CA fingerprint, login and data directory are printed), enrols the
# local agent into it and starts the agent with a copy of examples/agent.yaml
# (every key is documented there): open-port and vulnerability detectors,
# scheduled queries, problems in the state directory and on the server. It
# shows status and problems after the first runs, then keeps running in the
# foreground until Ctrl-C, which stops both.
run: build
	@bash scripts/run-local.sh $(BUILD_DIR)/warden examples/agent.yaml examples/server.yaml

# The warden binary and the web console ($(PREFIX)/share/warden/console, where
# the installed server looks for it by default); DESTDIR stages the install for
# packaging.
install: configure web
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target warden
	@install -D -m 0755 $(BUILD_DIR)/warden $(DESTDIR)$(PREFIX)/bin/warden
	@rm -rf $(DESTDIR)$(PREFIX)/share/warden/console
	@mkdir -p $(DESTDIR)$(PREFIX)/share/warden
	@cp -R web/dist $(DESTDIR)$(PREFIX)/share/warden/console
	@echo "installed $(DESTDIR)$(PREFIX)/bin/warden ($$($(DESTDIR)$(PREFIX)/bin/warden --version))"
	@echo "installed the web console in $(DESTDIR)$(PREFIX)/share/warden/console"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/warden
	rm -rf $(DESTDIR)$(PREFIX)/share/warden/console

# Every test is its own CTest test (GoogleTest discovery), run JOBS at a time;
# the few that need the host to themselves say so in CMakeLists.txt.
# The Debian packages (debian/: debhelper through debian/rules, the release
# build's binary and console, a manual page from --help) in build/packages,
# without building anything twice; the package test (ctest -L package)
# installs them into a fresh Debian 12 root.
package: build
	@dpkg-checkbuilddeps
	@debian/rules build >/dev/null
	@debian/rules binary
	@debian/rules clean >/dev/null
	@ls -1 build/packages/*.deb

test: build package
	@start=$$SECONDS; status=0; \
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) || status=$$?; \
	web_start=$$SECONDS; $(MAKE) --no-print-directory web-test || status=$$?; \
	echo "make test: web console tests took $$((SECONDS - web_start)) s"; \
	echo "make test: tests took $$((SECONDS - start)) s, $$(( $$(date +%s) - $(STARTED) )) s in all"; \
	exit $$status

# The tests of the modules with threads of their own (the agent's job runner and
# reload; the delivery module's sinks, queues and retries; the server's I/O and
# worker threads; the store's writer thread and reader pool) under
# ThreadSanitizer, in build-tsan/. Any report fails the run; tests/tsan.supp
# silences third-party code only.
TSAN_TESTS = agent_test delivery_test server_test store_test
tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target $(TSAN_TESTS)
	@start=$$SECONDS; status=0; \
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
	ctest --test-dir build-tsan --output-on-failure -j $(JOBS) \
	  -R '^($(subst $(space),|,$(strip $(TSAN_TESTS:_test=))))\.' || status=$$?; \
	echo "make tsan: tests took $$((SECONDS - start)) s, $$(( $$(date +%s) - $(STARTED) )) s in all"; \
	exit $$status

bench: PRESET = release
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

# clang-format 14 over every file, clang-tidy over the changed .cc files
# (scripts/lint.sh says which and why).
lint: deps
	@JOBS=$(JOBS) bash scripts/lint.sh build

clean:
	rm -rf build build-dev build-asan build-tsan build-fuzz web/dist web/node_modules
