# Rainmaker: the one entry point for people and CI (`make help`).
#
# Private servers (infra/devnodes.py; state under var/, RAINMAKER_VAR_DIR overrides):
#   dev   RabbitMQ 127.0.0.1:5682 (management 15682), PostgreSQL 127.0.0.1:5442  (make run, bench)
#   test  RabbitMQ 127.0.0.1:5692 (management 15692), PostgreSQL 127.0.0.1:5443  (make test)
#   fault RabbitMQ 127.0.0.1:5702, started per test module by the `fault_rabbit` fixture

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
.PHONY: help venv nodes nodes-stop test lint run up stop bench dlq clean distclean

# The venv's interpreter. The system's Python 3.11+ comes first when it can make a venv
# (Debian ships ensurepip in python3-venv): distributions build it with PGO and LTO, which run
# string and dict work up to 18% faster than a plain source build such as pyenv's default, the
# 1M import 5-7% (services/intake/README.md). PYTHON=... chooses another; `rm -rf .venv &&
# make venv` rebuilds the venv with it.
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.version_info >= (3, 11) and print(sys.executable)' 2>/dev/null)
PYTHON ?= $(or $(SYSTEM_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.rainmaker-installed
DEVNODES := $(PY) infra/devnodes.py
VAR := $(or $(RAINMAKER_VAR_DIR),var)
# The Procfile's commands (gunicorn, rainmaker) come from the venv.
export PATH := $(abspath $(BIN)):$(PATH)
TESTS ?= tests
PYTEST_ARGS ?=

# Where `make test` puts its servers; exported to pytest (tests/conftest.py reads them).
T_AMQP := 5692
T_DIST := 25692
T_MGMT := 15692
T_PG := 5443
F_AMQP := 5702
F_DIST := 25702
TEST_RABBIT := --name test --amqp-port $(T_AMQP) --dist-port $(T_DIST) --management-port $(T_MGMT)
FAULT_RABBIT := --name fault --amqp-port $(F_AMQP) --dist-port $(F_DIST)
TEST_PG := --name test --port $(T_PG)
define test_env
export RAINMAKER_TEST_RABBIT_NAME=test RAINMAKER_TEST_RABBIT_AMQP_PORT=$(T_AMQP)
export RAINMAKER_TEST_RABBIT_DIST_PORT=$(T_DIST) RAINMAKER_TEST_RABBIT_MANAGEMENT_PORT=$(T_MGMT)
export RAINMAKER_TEST_FAULT_RABBIT_NAME=fault RAINMAKER_TEST_FAULT_RABBIT_AMQP_PORT=$(F_AMQP)
export RAINMAKER_TEST_FAULT_RABBIT_DIST_PORT=$(F_DIST)
export RAINMAKER_TEST_POSTGRES_NAME=test RAINMAKER_TEST_POSTGRES_PORT=$(T_PG)
export AMQP_URL=amqp://guest:guest@127.0.0.1:$(T_AMQP)/%2F
export TEST_POSTGRES_URL=postgresql+psycopg://rainmaker@127.0.0.1:$(T_PG)/postgres
endef

# Service ports (Procfile, readiness checks); each overridable from the environment.
export INTAKE_PORT ?= 8001
export TAGGING_PORT ?= 8002
export PIPELINE_PORT ?= 8003
export MATCHING_PORT ?= 8004
READY_URLS := $(foreach p,$(INTAKE_PORT) $(TAGGING_PORT) $(PIPELINE_PORT) $(MATCHING_PORT),http://127.0.0.1:$(p)/readyz)

help:
	@echo "make venv        create $(VENV) and install the project (re-run when pyproject.toml changes)"
	echo "make test        ruff, mypy and the whole pytest suite against private RabbitMQ + PostgreSQL"
	echo "make lint        ruff check and mypy only"
	echo "make run         broker, migrations, topology, the four services, demo data; Ctrl-C stops all"
	echo "make up / stop   the same in the background (logs: $(VAR)/log/honcho.log)"
	echo "make nodes       start the dev RabbitMQ and PostgreSQL (make nodes-stop stops them)"
	echo "make bench       run bench/*.py against the dev nodes"
	echo "make dlq         list dead letters on the dev broker"
	echo "make clean       stop the private nodes and delete $(VAR)/ and caches (distclean: $(VENV) too)"

# --- environment ------------------------------------------------------------------------

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Rainmaker needs Python >= 3.11 (set PYTHON=python3.11)" >&2; exit 1; }
	if ! $(PY) -m pip --version >/dev/null 2>&1; then
	  rm -rf $(VENV)
	  if ! $(PYTHON) -m venv $(VENV); then  # Debian ships venv/ensurepip separately
	    rm -rf $(VENV)
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
	      $(PYTHON) -m venv $(VENV)
	    else
	      echo "cannot create a venv with $(PYTHON): install python3-venv (sudo apt-get install python3-venv) or set PYTHON=" >&2
	      exit 1
	    fi
	  fi
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

nodes: venv
	@$(DEVNODES) rabbitmq start --name dev
	$(DEVNODES) postgres start --name dev
	$(DEVNODES) rabbitmq env --name dev
	$(DEVNODES) postgres env --name dev

nodes-stop:
	@$(DEVNODES) rabbitmq stop --name dev
	$(DEVNODES) postgres stop --name dev

# --- quality gates ------------------------------------------------------------------------

lint: venv
	@$(BIN)/ruff check .
	$(BIN)/mypy libs services infra/devnodes.py

# Starts the test nodes unless already running, and stops the ones it started even when a
# gate fails; the fault node belongs to the tests and is always stopped.
test: venv
	@own_rabbit=0; own_pg=0
	cleanup() {
	  status=$$?
	  if [ $$own_rabbit = 1 ]; then $(DEVNODES) rabbitmq stop $(TEST_RABBIT) || true; fi
	  if [ $$own_pg = 1 ]; then $(DEVNODES) postgres stop $(TEST_PG) || true; fi
	  $(DEVNODES) rabbitmq stop $(FAULT_RABBIT) || true
	  exit $$status
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	$(DEVNODES) rabbitmq status $(TEST_RABBIT) >/dev/null || own_rabbit=1
	$(DEVNODES) rabbitmq start $(TEST_RABBIT)
	$(DEVNODES) postgres status $(TEST_PG) >/dev/null || own_pg=1
	$(DEVNODES) postgres start $(TEST_PG)
	echo "== ruff check"
	$(BIN)/ruff check .
	echo "== mypy"
	$(BIN)/mypy libs services infra/devnodes.py
	echo "== pytest"
	$(test_env)
	$(BIN)/pytest $(TESTS) $(PYTEST_ARGS)

# --- running the system -------------------------------------------------------------------

# Shared by run and up: broker (the one at AMQP_URL if it answers, else the private dev
# node), migrations and topology. Sets RAINMAKER_STARTED_RABBIT=1 when it started the node.
define prepare
broker=$$($(DEVNODES) rabbitmq ensure --name dev)
eval "$$broker"
mkdir -p $(VAR)/log $(VAR)/run
$(BIN)/rainmaker migrate
$(BIN)/rainmaker topology declare
endef

# Waits for the services (giving up if honcho dies), loads the demo data and shows it.
define demo
$(DEVNODES) wait-http --timeout 180 --pid $$hpid $(READY_URLS)
$(BIN)/rainmaker demo load
echo
echo "dashboard http://127.0.0.1:$(PIPELINE_PORT)/dashboard    broker amqp://…@$${AMQP_URL##*@}"
endef

run: venv
	@hpid=
	cleanup() {
	  status=$$?
	  if [ -n "$$hpid" ] && kill -0 $$hpid 2>/dev/null; then kill -TERM $$hpid; wait $$hpid || true; fi
	  if [ "$${RAINMAKER_STARTED_RABBIT:-0}" = 1 ]; then $(DEVNODES) rabbitmq stop --name dev || true; fi
	  exit $$status
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	$(prepare)
	$(BIN)/honcho start -f infra/Procfile -d . &
	hpid=$$!
	$(demo)
	echo "Running in the foreground; Ctrl-C stops the services (and the broker if this started it)."
	wait $$hpid

up: venv
	@if [ -f $(VAR)/run/honcho.pid ] && kill -0 "$$(cat $(VAR)/run/honcho.pid)" 2>/dev/null; then
	  echo "already up (pid $$(cat $(VAR)/run/honcho.pid)); make stop first" >&2; exit 1
	fi
	$(prepare)
	echo "$${RAINMAKER_STARTED_RABBIT:-0}" > $(VAR)/run/rabbit.owned
	setsid nohup $(BIN)/honcho start -f infra/Procfile -d . > $(VAR)/log/honcho.log 2>&1 < /dev/null &
	hpid=$$!
	echo $$hpid > $(VAR)/run/honcho.pid
	$(demo) || { echo "services did not come up; see $(VAR)/log/honcho.log (make stop)" >&2; exit 1; }
	echo "Up in the background (logs: $(VAR)/log/honcho.log); make stop stops it."

stop:
	@pidfile=$(VAR)/run/honcho.pid
	if [ -f $$pidfile ]; then
	  hpid=$$(cat $$pidfile)
	  if ps -p $$hpid -o args= 2>/dev/null | grep -q honcho; then
	    kill -TERM $$hpid
	    for _ in $$(seq 100); do kill -0 $$hpid 2>/dev/null || break; sleep 0.2; done
	  fi
	  rm -f $$pidfile
	fi
	if [ "$$(cat $(VAR)/run/rabbit.owned 2>/dev/null || echo 0)" = 1 ]; then
	  $(DEVNODES) rabbitmq stop --name dev
	fi
	rm -f $(VAR)/run/rabbit.owned

bench: venv
	@cleanup() {
	  status=$$?
	  if [ "$${RAINMAKER_STARTED_RABBIT:-0}" = 1 ]; then $(DEVNODES) rabbitmq stop --name dev || true; fi
	  if [ "$${RAINMAKER_STARTED_POSTGRES:-0}" = 1 ]; then $(DEVNODES) postgres stop --name dev || true; fi
	  exit $$status
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	broker=$$($(DEVNODES) rabbitmq ensure --name dev)
	eval "$$broker"
	database=$$($(DEVNODES) postgres ensure --name dev)
	eval "$$database"
	shopt -s nullglob
	for script in bench/*.py; do echo "== $$script"; $(PY) $$script; done

dlq: venv
	@if [ -z "$${AMQP_URL:-}" ]; then
	  $(DEVNODES) rabbitmq status --name dev >/dev/null \
	    || { echo "no broker: set AMQP_URL or start one (make up / make nodes)" >&2; exit 1; }
	  broker=$$($(DEVNODES) rabbitmq env --name dev)
	  eval "$$broker"
	fi
	$(BIN)/rainmaker dlq list

# --- cleaning -------------------------------------------------------------------------------

clean:
	@if [ -x $(PY) ]; then
	  $(MAKE) --no-print-directory stop || true
	  for n in dev test fault; do $(DEVNODES) rabbitmq stop --name $$n || true; done
	  for n in dev test; do $(DEVNODES) postgres stop --name $$n || true; done
	fi
	rm -rf $(VAR) .mypy_cache .ruff_cache .pytest_cache build
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	@rm -rf $(VENV) *.egg-info
