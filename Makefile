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

# Debian's Chromium (browser tests) and Noto CJK (Japanese glyphs in screenshots), installed only when missing.
system-deps:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		echo "installing chromium and fonts-noto-cjk from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

run: install
	$(BIN)/kpi load-sample --if-empty
	$(BIN)/kpi serve --server.port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install system-deps lint
	$(BIN)/python -m pytest

bench: install system-deps
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
