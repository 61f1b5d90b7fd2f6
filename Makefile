# Aduan: `make help` lists the targets. Everything local lives in the git-ignored .venv/ and .local/.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
# uv lives outside the venv: `uv pip sync` removes whatever the lock does not list, uv included.
TOOLS := .local/tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
INFRA := deploy/local/infra.sh
PROMTOOL := promtool
# Re-install only when the locks or the project metadata change.
INSTALLED := $(VENV)/.installed
# The bench extra (faust-streaming) on top of the dev install, for `make bench` and `make faust-repro`.
BENCH_INSTALLED := $(VENV)/.installed-bench

.PHONY: help install lock infra-install infra-up infra-down down infra-status lint format \
	typecheck rules-test test-unit test-integration test-e2e test test-faults bench-install bench \
	bench-store faust-repro run status

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

install: $(INSTALLED) ## create .venv with the locked dev dependencies and an editable install

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==$(UV_VERSION)

$(INSTALLED): requirements-dev.lock pyproject.toml | $(UV)
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(UV) pip sync -q requirements-dev.lock --python $(PYTHON)
	$(UV) pip install -q --python $(PYTHON) --no-deps -e .
	touch $@

bench-install: $(BENCH_INSTALLED) ## add the locked bench extra (faust-streaming) to .venv

# After the dev install: `uv pip sync` of the dev lock removes the bench extra, and then this runs again.
$(BENCH_INSTALLED): requirements-bench.lock pyproject.toml $(INSTALLED) | $(UV)
	$(UV) pip sync -q requirements-bench.lock --python $(PYTHON)
	$(UV) pip install -q --python $(PYTHON) --no-deps -e .
	touch $@

lock: | $(UV) ## regenerate requirements.lock, requirements-dev.lock and requirements-bench.lock
	$(UV) pip compile -q pyproject.toml --python-version 3.11 -o requirements.lock
	$(UV) pip compile -q pyproject.toml --python-version 3.11 --extra dev -o requirements-dev.lock
	$(UV) pip compile -q pyproject.toml --python-version 3.11 --extra dev --extra bench -o requirements-bench.lock

infra-install: ## fetch Kafka jars, build FerretDB, install Prometheus (once)
	$(INFRA) install

infra-up: install infra-install ## start Kafka, FerretDB, Prometheus (or reuse them) and create topics
	$(INFRA) up

infra-down: ## stop the Kafka, FerretDB and Prometheus that infra-up started
	$(INFRA) down

down: ## stop the services of `make run`, then the infrastructure
	deploy/local/stack.sh down
	$(INFRA) down

infra-status: ## show what runs on the infrastructure ports
	$(INFRA) status

status: ## the services of `make run` (supervisord: state, uptime, restarts) and the infrastructure
	deploy/local/stack.sh status || true
	$(INFRA) status

lint: install ## ruff, import contracts, dependency check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/deptry .

format: install ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install ## mypy --strict on shared/ and services/
	$(VENV)/bin/mypy

rules-test: ## check and unit-test the Prometheus alert rules with promtool
	$(PROMTOOL) check rules deploy/prometheus/rules/*.yml
	$(PROMTOOL) test rules deploy/prometheus/tests/*.yml

test-unit: install ## unit tests (no infrastructure)
	$(PYTEST) tests/unit

test-integration: infra-up ## integration tests against the real Kafka and FerretDB
	$(PYTEST) -m integration tests/integration

test-e2e: infra-up ## end-to-end tests: the four services as real processes
	$(PYTEST) -m e2e tests/e2e

# One pytest run over everything, so no marker selection can leave it with nothing to run.
test: install lint typecheck infra-install infra-up rules-test ## everything: lint, types, rules, unit, integration and e2e tests
	$(PYTEST) tests --ignore=tests/faults

# Its own Kafka and FerretDB, so the shared ones of `make test` are never stopped.
test-faults: install infra-install ## the fault suite: broker, store and LAPOR! outages, SIGKILLs, on a supervised stack
	$(PYTEST) tests/faults

bench: infra-up bench-install ## benchmarks: consume loop, sla vs faust, intake vs bare FastAPI (web; every channel; the Kafka path), burst, store, notify, router (python -m bench)
	$(PYTHON) -m bench

bench-store: infra-up ## by-key operations on the MongoDB-wire store at 1k/20k/100k documents
	$(PYTHON) -m bench.store

faust-repro: infra-up bench-install ## does faust-streaming still lose records while a worker recovers its table? (not in CI)
	$(PYTHON) -m bench.faust_repro

run: install infra-install ## provision, start everything, run the demo; Ctrl-C or `make down` stops it
	deploy/local/run.sh
