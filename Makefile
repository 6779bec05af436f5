# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck unit eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: a looser pin pulls a multi-gigabyte CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/secbot serve

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis

SEED ?= ../shared/seeds/security-management-model.txt

eval: install
	$(BIN)/secbot eval $(if $(wildcard $(SEED)),--seed $(SEED),)

bench: install
	$(BIN)/python scripts/bench_retrieval.py
	$(BIN)/python scripts/bench_retrieval_real.py
	$(BIN)/python scripts/bench_alerts.py
	$(BIN)/python scripts/bench_chaos.py
	$(BIN)/python scripts/bench_startup.py
