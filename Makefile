# inspector — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= $(CURDIR)/demo.db
PYTEST_WORKERS ?= 2

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z_-]+:.*?## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "inspector needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install inspector with its development tools

.PHONY: run
run: $(STAMP) ## Install, create the demo group in demo.db and open the app on it
	$(BIN)/inspector demo --db "$(DEMO_DB)"
	$(BIN)/inspector --db "$(DEMO_DB)"

.PHONY: demo
demo: $(STAMP) ## Create (or refresh) the demo group in demo.db without opening the app
	$(BIN)/inspector demo --db "$(DEMO_DB)"

.PHONY: test
test: $(STAMP) ## Install and run the whole test suite (PostgreSQL included)
	@bash .ci/install-system-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -r fEsR $(PYTEST_ARGS)

.PHONY: check
check: $(STAMP) ## Lint, format check, strict typing and import rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy inspector screens sync
	$(BIN)/lint-imports

.PHONY: format
format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: bench
bench: $(STAMP) ## Run the benchmarks and write bench/results.json
	$(BIN)/python -m bench

.PHONY: snap-update
snap-update: $(STAMP) ## Re-record the UI snapshots (review the diff before committing)
	$(BIN)/python -m pytest tests/screens --snapshot-update $(PYTEST_ARGS)

.PHONY: dev
dev: $(STAMP) ## Open the app under `textual run --dev` (with `textual console` in another terminal)
	$(BIN)/textual run --dev "screens.app:dev_app"

.PHONY: server
server: $(STAMP) ## Run the central sync server on 127.0.0.1:8765 (SQLite trial database)
	$(BIN)/inspector server

.PHONY: clean
clean: ## Remove the virtual environment, caches and the demo database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info demo.db demo.db-*
