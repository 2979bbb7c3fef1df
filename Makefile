# Two commands: `make run` (app with sample data on :8501) and `make test` (everything the tests need, then the suite).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8501
export BROWSER_PATH ?= /usr/bin/chromium

.PHONY: install system-deps bench-deps run test test-fast lint bench clean vendor-axe

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# From Debian, only when missing: Chromium (browser tests, kaleido), Noto CJK (Japanese glyphs in screenshots,
# images and PDFs), LibreOffice Impress and poppler (the deck converts to PDF, the PDF to PNG pages), PostgreSQL
# (a throwaway server per test session: storage tests and app replicas).
SYSTEM_PACKAGES = chromium fonts-noto-cjk libreoffice-impress poppler-utils postgresql
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing from Debian:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

run: install
	$(BIN)/kpi load-sample --if-empty
	$(BIN)/kpi serve --server.port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Everything: browser, PostgreSQL, LibreOffice and fault tests included (markers `system`, `slow`; pyproject.toml).
test: install system-deps lint
	$(BIN)/python -m pytest

# The rest, in under a minute: no browser, no PostgreSQL, no LibreOffice, no process killed on purpose.
test-fast: install lint
	$(BIN)/python -m pytest -m "not slow and not system"

# nginx for bench/load.py's two replicas (started on loopback by the bench, never as a service).
bench-deps:
	@dpkg -s nginx-light >/dev/null 2>&1 || dpkg -s nginx >/dev/null 2>&1 || { echo "installing from Debian: nginx-light"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null; }

# Ratios against floors measured in the same run (never timed tests); figures go into the README.
bench: install system-deps bench-deps
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/page.py
	$(BIN)/python bench/load.py

# axe-core (MPL-2.0) is vendored under tests/vendor so the accessibility tests run offline; this refreshes it from npm.
AXE_VERSION ?= 4
vendor-axe:
	rm -rf var/axe && mkdir -p var/axe
	npm install --silent --no-save --no-package-lock --prefix var/axe axe-core@$(AXE_VERSION)
	for f in axe.min.js LICENSE LICENSE-3RD-PARTY.txt package.json; do \
		cp var/axe/node_modules/axe-core/$$f tests/vendor/axe-core/; done

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
