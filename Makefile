# auth-fcgi: user management / auth API, a Swift FastCGI backend behind nginx.
#
# Targets:
#   make run               install what's missing, release build, then start nginx +
#                          the backend on http://127.0.0.1:$HTTP_PORT/ (default 8080)
#                          in the foreground (Ctrl-C or SIGTERM stops both)
#   make test              install what's missing, release build, unit tests, the
#                          format lint, nginx config checks, integration tests (pytest,
#                          through real nginx)
#   make build             release build: .build/release/auth-fcgi (static Swift stdlib)
#   make unit-test         swift test
#   make integration-test  pytest Tests/integration on SQLite, then on a private PostgreSQL
#                          server (AUTH_TEST_DATABASE=postgresql; uses .build/release/auth-fcgi)
#   make token-algorithms-test  the token suite again with tokens signed under EdDSA, then
#                          ES256 (AUTH_TEST_JWT_ALGORITHM; SQLite; part of test)
#   make check-nginx       nginx -t on every shipped nginx file
#   make deb               install what's missing (debhelper), release build, then the
#                          Debian package (debhelper, dpkg-buildpackage):
#                          .build/deb/auth-fcgi_VERSION-REV_ARCH.deb,
#                          DEB_REVISION (default 1); prints the path (scripts/build-deb)
#   make deps / deps-test  install the Debian packages for running / for testing
#   make bench             performance table (scripts/bench, not in test): release build,
#                          100 000 users, nginx + backend driven by wrk on loopback
#                          (ceiling, health, whoami, users, refresh, login; the middle
#                          four with and without connection reuse), CGI mode
#                          (hyperfine), hash rate, then the backend-only GET /api/users
#                          table; installs wrk and hyperfine (install-deps bench); then
#                          scripts/forgot-timing (known vs unknown address); ~8 min
#   make cgi-figures       plain CGI end to end: Apache mod_cgid and lighttpd with the
#                          conf/cgi/ examples, health, whoami and login one at a time
#                          (mean, p50, p95), at wrk -c4, and the binary alone (hyperfine)
#                          (scripts/cgi-figures, not in test); installs apache2, lighttpd,
#                          wrk, hyperfine (install-deps cgi); ~1 min
#   make fuzz              libFuzzer on every network-facing parser, FUZZ_SECONDS each (30)
#   make soak              long robustness runs: schemathesis, abuse, load with worker kills (~4 min)
#   make screenshots       PNGs of the web pages (desktop and phone) into docs/screenshots/
#   make format            swift format, in place
#   make lint              swift format lint --strict over the Swift sources (part of test)
#   make clean             remove .build and the rendered nginx/run files in var/
#                          (keeps var/auth.db and the development key)
#
# Variables:
#   SWIFT_BUILD_FLAGS   extra flags for swift build / swift test
#                       (.ci/run sets -Xswiftc -warnings-as-errors)
#   PYTEST_FLAGS        extra flags for pytest
#   PYTHON              python interpreter for the integration tests (python3)
# The run command's settings (HTTP_PORT, RUN_DIR, CORS_ORIGINS, RATE_LIMIT_*, ...) are
# environment variables or .env entries: see README.md and scripts/serve-local --help.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Steps share .build/: never run them side by side.
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

# The Swift toolchain: PATH, else /opt/swift/usr/bin (CI runs with a minimal PATH).
SWIFT_TOOLCHAIN_BIN ?= /opt/swift/usr/bin
ifeq ($(shell command -v swift 2>/dev/null),)
  ifneq ($(wildcard $(SWIFT_TOOLCHAIN_BIN)/swift),)
    export PATH := $(SWIFT_TOOLCHAIN_BIN):$(PATH)
  endif
endif

# The commit `auth-fcgi --version` names (Package.swift reads it); empty outside git.
export AUTH_FCGI_COMMIT := $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null)

SWIFT ?= swift
PYTHON ?= python3
SWIFT_BUILD_FLAGS ?=
PYTEST_FLAGS ?=
SWIFT_SOURCES := Package.swift Plugins Sources Tests/UserLogicTests Tests/SocketPairs Tests/FastCGIShimTests Tests/ConnectionPollerTests Benchmarks Fuzz/Harnesses Fuzz/AuthFuzz

.PHONY: help run test build unit-test integration-test token-algorithms-test check-nginx deps deps-test \
        deb bench cgi-figures fuzz soak screenshots format lint clean check-swift

help:
	@sed -n '1,/^$$/p' $(firstword $(MAKEFILE_LIST))

check-swift:
	@command -v $(SWIFT) >/dev/null 2>&1 || { \
	  echo "swift not found in PATH nor in $(SWIFT_TOOLCHAIN_BIN): install the Swift toolchain (swift.org)" >&2; \
	  exit 2; }

deps:
	@scripts/install-deps run

deps-test:
	@scripts/install-deps test

build: check-swift
	$(SWIFT) build -c release --static-swift-stdlib $(SWIFT_BUILD_FLAGS)

run: deps build
	exec scripts/serve-local

unit-test: check-swift
	$(SWIFT) test $(SWIFT_BUILD_FLAGS)

check-nginx:
	@scripts/check-nginx-configs

# The version is the binary's (auth-fcgi --version); DEB_REVISION passes through the
# environment.
deb: check-swift
	@scripts/install-deps deb
	@$(MAKE) build
	@scripts/build-deb

# The suites that issue, check, refresh and refuse tokens, rerun with the stacks signing
# under EdDSA and under ES256 (the whole suite runs under the default HS256).
TOKEN_SUITES := Tests/integration/test_auth_tokens.py Tests/integration/test_auth_refresh_logout.py \
                Tests/integration/test_auth_whoami.py Tests/integration/test_auth_sessions.py \
                Tests/integration/test_auth_restart.py Tests/integration/test_auth_password_change.py \
                Tests/integration/test_users_sessions_unlock.py Tests/integration/test_mfa_login.py \
                Tests/integration/test_forward_auth.py
token-algorithms-test:
	AUTH_TEST_DATABASE=sqlite AUTH_TEST_JWT_ALGORITHM=EdDSA $(PYTHON) -m pytest $(TOKEN_SUITES) $(PYTEST_FLAGS)
	AUTH_TEST_DATABASE=sqlite AUTH_TEST_JWT_ALGORITHM=ES256 $(PYTHON) -m pytest $(TOKEN_SUITES) $(PYTEST_FLAGS)

# pytest's summary line must stay the last line of `make test`: nothing runs after it.
integration-test:
	AUTH_TEST_DATABASE=sqlite $(PYTHON) -m pytest Tests/integration $(PYTEST_FLAGS)
	AUTH_TEST_DATABASE=postgresql $(PYTHON) -m pytest Tests/integration $(PYTEST_FLAGS)

test: deps-test build unit-test lint check-nginx token-algorithms-test integration-test

bench: check-swift
	@scripts/install-deps bench
	SWIFT="$(SWIFT)" SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/bench
	scripts/forgot-timing

cgi-figures: check-swift
	@scripts/install-deps cgi
	@$(MAKE) build
	scripts/cgi-figures

FUZZ_SECONDS ?= 30
# The fuzz driver builds alone with the sanitizers, in its own build directory.
fuzz: check-swift
	AUTH_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --product AuthFuzz
	scripts/fuzz $(FUZZ_SECONDS)

# Long robustness runs (not in test): Schemathesis 200 examples per operation and phase,
# 10 000 wrong logins, 60 s of mixed load at 128 connections against --workers 2 with a
# worker SIGKILLed every 10 s.
soak: deps-test build
	AUTH_SOAK=1 $(PYTHON) -m pytest Tests/integration/test_schemathesis.py \
	    Tests/integration/test_abuse.py Tests/integration/test_load_faults.py -rP $(PYTEST_FLAGS)

screenshots: deps-test build
	$(PYTHON) scripts/screenshots

format: check-swift
	$(SWIFT) format --in-place --recursive $(SWIFT_SOURCES)

lint: check-swift
	$(SWIFT) format lint --strict --recursive $(SWIFT_SOURCES)

clean:
	rm -rf .build var/nginx var/run var/log
