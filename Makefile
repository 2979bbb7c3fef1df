# Two commands: `make run` (app with sample data on :8501) and `make test` (everything the tests need, then the suite).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8501
export BROWSER_PATH ?= /usr/bin/chromium

.PHONY: install system-deps run test lint bench clean

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

test: install system-deps lint
	$(BIN)/python -m pytest

# Ratios against floors measured in the same run (never timed tests); figures go into the README.
bench: install system-deps
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/page.py

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
