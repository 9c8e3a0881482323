# govreports — two commands do all the set-up on a fresh machine:
#   make run    build the warehouse from raw/ (creates the environment on first use)
#   make test   run the test suite (same set-up)
# GOVREPORTS_RAW_DIR and GOVREPORTS_WAREHOUSE point `make run` at another folder / file.

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: run watch test env git-filters browser dev sql lint format bench export-charts notebooks clean help

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## make run            build warehouse/reports.duckdb from raw/ through Dagster
run: env
	$(PY) -m pipelines build

## make watch          build again whenever raw/ changes, in one warm process (Ctrl-C stops; WATCH_INTERVAL=s)
watch: env
	$(PY) -m pipelines watch --interval $(or $(WATCH_INTERVAL),5)

## make test           lint, then the whole test suite (builds warehouses, runs notebooks)
test: env
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

## make env            create .venv from uv.lock, the CJK font, the notebook git filter, chromium
env: $(VENV)/.synced .fonts/.ready git-filters browser

# notebooks are committed without outputs whatever state a user saved them in: git runs nbstripout
# (from uv.lock) as the clean filter of *.ipynb (.gitattributes); paths are relative to the work
# tree, so every clone and worktree uses its own .venv. Outside a git checkout: nothing to do.
# (the kernel's language_info details go too: a run adds them, and they would show as a change)
NBSTRIPOUT := $(VENV)/bin/python -m nbstripout --keep-id --extra-keys "metadata.language_info.codemirror_mode \
  metadata.language_info.file_extension metadata.language_info.mimetype metadata.language_info.nbconvert_exporter \
  metadata.language_info.pygments_lexer metadata.language_info.version"
git-filters: $(VENV)/.synced
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv '$(NBSTRIPOUT) -t'; fi

# Debian's chromium for tests/test_notebooks_browser.py (Playwright drives it; no browser download)
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install Debian's chromium (sudo apt-get install chromium) for the browser test"; fi; fi

# the CJK font exported chart PNGs need: the pylopdf-fonts-zh-cn wheel (uv.lock), else Debian's
# fonts-wqy-microhei unpacked into .fonts/ (apt-get download + dpkg-deb, no root)
.fonts/.ready: $(VENV)/.synced
	$(PY) -m pipelines.fonts
	@mkdir -p .fonts && touch $@

$(VENV)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	@# compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI) every process would
	@# otherwise recompile Dagster and its dependencies from source, ~1.5 s per process
	$(PYTHON) -m uv sync --frozen --compile-bytecode --python $(PYTHON)
	@mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	@# a fresh instance opened by two processes at once can break: migrate it once, here
	$(VENV)/bin/dagster instance migrate >/dev/null
	@touch $@

## make dev            the Dagster UI on http://127.0.0.1:3000 (DAGSTER_PORT=N for another; same definitions as make run)
DAGSTER_PORT ?= 3000
dev: env
	$(VENV)/bin/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $(DAGSTER_PORT)

## make sql            an interactive SQL prompt on the published warehouse (read-only)
sql: env
	$(VENV)/bin/duckdb -readonly $${GOVREPORTS_WAREHOUSE:-warehouse/reports.duckdb}

## make lint           ruff
lint: env
	$(VENV)/bin/ruff check .

format: env
	$(VENV)/bin/ruff format pipelines tests benchmarks

## make export-charts  every notebook chart as PNG and HTML into exports/
export-charts: env
	$(PY) -m pipelines.charts export exports

## make bench          the scale benchmark, then the cost of a page of PDF/Word beside its text (see benchmarks/README.md)
bench: env
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.formats

clean:
	rm -rf warehouse/*.duckdb warehouse/.build exports .fonts
