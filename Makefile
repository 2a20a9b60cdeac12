# The README's commands. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE := examples/west-yorkshire
HOST ?= 127.0.0.1
PORT ?= 8000

# Test workers (pytest-xdist): `auto` is one per core. Whole files go to one worker (loadfile), so a
# module's fixtures (a served dashboard, a browser) are made once; session fixtures (the built
# bundled workspace, the PostgreSQL cluster) once per worker, each in its own folder and port.
WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(WORKERS) --dist loadfile

.PHONY: demo test check install build lint bench clean assets browser pdfdeps report postgres records

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/observatory build $(WORKSPACE)

# Builds the bundled workspace, prints the headline figures, writes the annual update, then serves
# the dashboard (Ctrl+C stops it).
demo: build assets pdfdeps records
	$(BIN)/observatory headline $(WORKSPACE)
	$(BIN)/observatory report $(WORKSPACE)
	$(BIN)/observatory serve $(WORKSPACE) --host $(HOST) --port $(PORT)

# Everything: lint, the architecture's contracts and every test (slow and browser ones included).
test: install assets browser pdfdeps postgres
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports --no-cache --no-logo
	$(PYTEST)

# The inner loop: lint, contracts and the tests not marked slow or browser (no build of the bundled
# workspace, no chromium; tests/conftest.py marks tests that use the built store). `make test` before
# pushing.
check: install postgres
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports --no-cache --no-logo
	$(PYTEST) -m "not slow and not browser"

# Web assets: npm ci from the committed package-lock.json, then copy the needed dist files into
# the package (scripts/vendor_assets.py). The copies are committed, so `pip install` needs no npm.
assets: install
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py

# Browser tests drive Debian's chromium (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The PDF report's system libraries (WeasyPrint: Pango, HarfBuzz, fonts) and poppler's pdftotext /
# pdftoppm, which the report tests read the PDF with.
pdfdeps:
	@(test -x /usr/bin/pdftotext && ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset \
	  && test -d /usr/share/fonts/truetype/dejavu) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

report: build pdfdeps
	$(BIN)/observatory report $(WORKSPACE)

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports --no-cache --no-logo

bench: install
	$(BIN)/python benchmarks/bench_assign.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_report.py

clean:
	rm -rf $(WORKSPACE)/build

# Records tests run on SQLite and on a throwaway PostgreSQL cluster (tests/records/postgres.py
# starts and stops it); only Debian's server binaries are needed, no running service.
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

# The bundled workspace's records database (records.sqlite, git-ignored): migrated, and the demo
# board actions and illustrative Shared Care Record register added when it is empty.
records: install
	$(BIN)/observatory records upgrade -w $(WORKSPACE)
	$(BIN)/observatory records seed-demo --if-empty -w $(WORKSPACE)
	$(BIN)/observatory sites seed-demo --if-empty -w $(WORKSPACE)
	$(BIN)/observatory metrics seed-demo --if-empty -w $(WORKSPACE)
	$(BIN)/observatory challenges seed-demo --if-empty -w $(WORKSPACE)
