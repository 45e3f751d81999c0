# Two commands matter on a fresh machine: `make demo` and `make test`.
# Both create (or reuse) .venv and install what they need from the package index.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

# The CDK app's dependencies (aws-cdk-lib is ~420 MB) get their own stamp: `make demo` never installs them.
INFRA_STAMP := $(VENV)/.infra-installed-$(shell cat infra/requirements.txt | cksum | cut -d' ' -f1)
STAGE ?= dev
# Synth and package never talk to AWS: a region, no credentials, a placeholder account unless LUNAS_AWS_ACCOUNT is set.
OFFLINE_AWS := env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
	AWS_DEFAULT_REGION=$${LUNAS_AWS_REGION:-ap-southeast-3}
# `chalice package` installs requirements.txt for Lambda (manylinux2014 wheels). With a ./wheelhouse it needs no index.
PACKAGE_SOURCE := $(if $(wildcard wheelhouse/*),PIP_NO_INDEX=1 PIP_FIND_LINKS=$(CURDIR)/wheelhouse,)

.PHONY: demo demo-once test lint typecheck unit unit-fast install sandbox clean browser-deps test-moved-clock fuzz

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip<26.3' wheel
	@# phonenumberslite replaced phonenumbers (both install the `phonenumbers` package): drop the old one first
	@$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check -y phonenumbers >/dev/null 2>&1 || true
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

$(INFRA_STAMP): $(STAMP) infra/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	@rm -f $(VENV)/.infra-installed-*
	@touch $(INFRA_STAMP)

## Run the main job on the embedded sandbox (local AWS + fake Xero + fake Meta), interactively.
## `make demo INVOICES=10000` runs a big company instead (sandbox/demo_big.py) and prints counts, seconds and memory.
demo: $(STAMP)
	$(BIN)/python -m sandbox.demo $(if $(INVOICES),--invoices $(INVOICES)) $(DEMO_ARGS)

## Same, but run one cycle, print the table and exit 0 (for scripts).
demo-once: $(STAMP)
	$(BIN)/python -m sandbox.demo --once

## Only the sandbox servers, for poking at them by hand.
sandbox: $(STAMP)
	$(BIN)/python -m sandbox.run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q --ignore=tests/infra

## Only the fast unit tier (tests/unit): services on the in-memory stores, sockets blocked, no server; a few seconds.
unit-fast: $(STAMP)
	$(BIN)/pytest -q --disable-socket tests/unit

## What the browser tests need beyond the venv: Debian's chromium (Playwright itself is in requirements-dev.txt;
## its own browser download is never used). Installs it when run as root; otherwise says loudly that the browser
## tests will be skipped.
browser-deps: $(STAMP)
	@if [ -x /usr/bin/chromium ] || [ -n "$$LUNAS_CHROMIUM" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "*** Could not install chromium: the browser tests will be SKIPPED ***"; \
	else echo "*** /usr/bin/chromium is missing and this is not root: the browser tests will be SKIPPED" \
	  "(install it with: sudo apt-get install -y chromium) ***"; fi

## Lint, type-check and the whole test suite (browser tests included when chromium is there).
test: browser-deps lint typecheck unit test-moved-clock

## The date-sensitive suites again with the machine's clock moved a year ahead and to a 29 February: no test may
## depend on the machine's date (tests pin their dates through the sandbox clock). Bounded: two runs of a subset.
MOVED_CLOCK_SUITES := tests/test_policy.py tests/test_wording.py tests/test_webhooks_meta.py tests/test_reminder_cycle.py
test-moved-clock: $(STAMP)
	LUNAS_TEST_WALL_CLOCK=$$(date -u -d '+1 year' +%Y-%m-%dT%H:%M:%S+00:00) $(BIN)/pytest -q $(MOVED_CLOCK_SUITES)
	LUNAS_TEST_WALL_CLOCK=2028-02-29T16:30:00+00:00 $(BIN)/pytest -q tests/test_policy.py tests/test_webhooks_meta.py \
	  tests/test_home.py tests/test_notifications.py

## Fuzz every webhook and dashboard route with N inputs in all (hypothesis, random, in-process against the sandbox):
## prints the inputs and the 5xx answers per route, and fails if any input got a 5xx or changed state unsigned.
## The test run (make unit) runs the same suites bounded; see tests/fuzz_support.py.
N ?= 100000
fuzz: $(STAMP)
	LUNAS_FUZZ_INPUTS=$(N) $(BIN)/pytest -q -p tests.fuzz_support -p no:logging \
	  tests/test_fuzz_webhooks.py tests/test_fuzz_dashboard.py

## Seeded fault injection (sandbox/chaos.py): N scenarios (default 50; seeds 1..N), each mixing Meta, Xero and
## QuickBooks faults, concurrent workers, redeliveries, a STOP or a payment mid-cycle; prints sends, acceptances and
## the violations per invariant, with the failing seeds. SEED=<n> (or SEED="<n> <m>") replays, described in full.
## A few seeds run in `make test` (tests/test_chaos.py). Bounded: no new scenario starts after CHAOS_MAX_SECONDS.
.PHONY: chaos
CHAOS_MAX_SECONDS ?= 1800
chaos: $(STAMP)
	$(BIN)/python -m sandbox.chaos --max-seconds $(CHAOS_MAX_SECONDS) \
	  $(if $(SEED),--seed $(SEED),--scenarios $(if $(filter command line environment,$(origin N)),$(N),50))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .sandbox build infra/cdk.out infra/chalice.out

.PHONY: synth package bench test-infra

## `make test` runs the infra tests too: CI runs `make test` only (docs/deploy-aws.md says why they are not separate).
test: test-infra

## Synthesize the CDK stacks of every stage (or LUNAS_STAGES=dev) into infra/cdk.out, offline, and cfn-lint them.
synth: $(INFRA_STAMP)
	$(OFFLINE_AWS) $(PACKAGE_SOURCE) $(BIN)/python infra/cdk_app.py
	$(BIN)/cfn-lint infra/cdk.out/*.template.json

## The Lambda package alone (SAM template + zips) in build/package; fails if a dependency did not install.
## The dependency layer is built and pruned first (infra/lunas_infra/lean_layer.py); Chalice reuses it.
LEAN_LAYER := PYTHONPATH=infra:. $(BIN)/python -m lunas_infra.lean_layer
package: $(STAMP)
	rm -rf build/package && mkdir -p build
	$(OFFLINE_AWS) $(PACKAGE_SOURCE) $(LEAN_LAYER)
	$(OFFLINE_AWS) $(PACKAGE_SOURCE) $(BIN)/chalice package --stage $(STAGE) build/package >build/package.log 2>&1 \
	  || (cat build/package.log; exit 1)
	@cat build/package.log
	@! grep -q "Could not install dependencies" build/package.log || (echo "chalice package: a dependency did not install" >&2; exit 1)
	@ls -l build/package

## One table (bench/__main__.py): package size, cold import, AWS calls, planning, vendor calls and costs. On purpose,
## not in CI. BENCH_ARGS="--sizes 100 1000" or "--only package planning" for a shorter run.
bench: $(STAMP)
	$(OFFLINE_AWS) $(PACKAGE_SOURCE) $(BIN)/python -m bench $(BENCH_ARGS)

## Stack assertions on synthesized templates, cfn-lint, and mypy of infra/.
test-infra: $(INFRA_STAMP)
	MYPYPATH=infra $(BIN)/mypy infra/cdk_app.py infra/lunas_infra
	$(OFFLINE_AWS) $(PACKAGE_SOURCE) $(BIN)/pytest -q tests/infra
