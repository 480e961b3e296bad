# Lambdesk: `make run` starts the help desk locally; `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.deps-installed
INFRA_DEPS := $(VENV)/.infra-deps-installed
BROWSER_DEPS := tests/e2e/node_modules/.package-lock.json
LOCALES := chalicelib/web/locales
STAGE ?= dev
PYTEST_ARGS ?=

.PHONY: run test unit integration api e2e infra-test lint typecheck bench synth deploy clean help messages

help:
	@echo "make run        start the local stack with demo data (API http://127.0.0.1:8000, SMTP 127.0.0.1:2525)"
	@echo "make test       lint, type-check and run the whole suite"
	@echo "make bench      benchmarks -> bench/results.json"
	@echo "make synth      synthesize the CDK app offline (cdk-nag, cfn-lint)"
	@echo "make deploy STAGE=prod   deploy to the AWS account in your environment"
	@echo "make messages   extract the web pages' messages, update every catalog, compile the .mo files"

$(DEPS): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Lambdesk needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

$(INFRA_DEPS): $(DEPS) infra/requirements.txt infra/package.json
	$(BIN)/python -m pip install -q -r infra/requirements.txt
	cd infra && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# axe-core for the browser tests (tests/e2e/package.json, pinned by its lockfile).
$(BROWSER_DEPS): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: $(DEPS)
	$(BIN)/lambdesk run

lint: $(DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check chalicelib app.py
	$(BIN)/lint-imports

typecheck: $(DEPS)
	$(BIN)/mypy

unit: $(DEPS)
	$(BIN)/pytest tests/unit -q $(PYTEST_ARGS)

integration: $(DEPS)
	$(BIN)/pytest tests/integration -q $(PYTEST_ARGS)

api: $(DEPS)
	$(BIN)/pytest tests/api -q $(PYTEST_ARGS)

e2e: $(DEPS) $(BROWSER_DEPS)
	$(BIN)/pytest tests/e2e -q $(PYTEST_ARGS)

infra-test: $(INFRA_DEPS)
	$(BIN)/pytest tests/infra -q $(PYTEST_ARGS)

test: $(DEPS) $(INFRA_DEPS) $(BROWSER_DEPS) lint typecheck
	$(BIN)/pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

# After changing a page's text: extract, merge into every language's catalog, translate what the merge
# marks new or fuzzy, then compile (tests/unit/web/test_catalogs.py fails until every catalog is complete).
messages: $(DEPS)
	$(BIN)/pybabel extract -F chalicelib/web/babel.cfg -k N_ --add-location=file --sort-output \
	  --project=Lambdesk --copyright-holder="Lambdesk contributors" -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --width=120 --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

bench: $(DEPS)
	$(BIN)/python -m bench

synth: $(INFRA_DEPS)
	PATH="$(abspath $(BIN)):$$PATH" bash infra/synth.sh

deploy: $(INFRA_DEPS)
	cd infra && PATH="$(abspath $(BIN)):$$PATH" npx cdk deploy --all --context stage=$(STAGE) --require-approval broadening

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache infra/cdk.out infra/node_modules tests/e2e/node_modules test-artifacts
