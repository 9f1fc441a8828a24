# Two commands for a newcomer: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages. fonts-noto-cjk: Chinese glyphs in PDFs. libharfbuzz-subset0:
# WeasyPrint subsets fonts with it; without it WeasyPrint silently falls back
# to a pure-Python subsetter and a certificate takes seconds, not a tenth of one.
# gettext: compiles the translation catalogues. poppler-utils: pdffonts/pdftoppm.
RUN_DEBS := fonts-noto-cjk libharfbuzz-subset0 gettext poppler-utils
TEST_DEBS := chromium
# The benchmarks put nginx in front of the web processes, as docs/deploy.md does.
BENCH_DEBS := nginx

# Tests run against the PostgreSQL and Redis that this kind of machine has;
# .ci/run starts them when they are down and sets these explicitly.
TEST_ENV := \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ankang} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1}

.PHONY: run test bench install debs test-debs bench-debs messages makemessages lint format clean

run: install debs messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 with a local Celery worker (Ctrl-C stops both)."
	@$(BIN)/celery -A config worker --beat --loglevel=WARNING --concurrency=2 \
		--schedule=var/celerybeat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install debs test-debs node_modules/.installed messages
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The production stack on this machine under an exam day and a campaign day,
# then the fault drills and the scale-out; figures go to bench/RESULTS.md.
# Uses PostgreSQL and Redis of its own (started from the Debian binaries), so
# it needs no running service. BENCH_ARGS passes options to bench/day.py.
# Every part runs even when one fails; the target fails if any did.
bench: install debs test-debs bench-debs node_modules/.installed messages
	@status=0; \
	$(BIN)/python bench/day.py $(BENCH_ARGS) || status=1; \
	$(BIN)/python bench/drills.py --drill all || status=1; \
	$(BIN)/python bench/scaleout.py || status=1; \
	exit $$status

# axe-core for the accessibility tests, from the npm registry (injected into
# pages by the browser tests; never served).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	mkdir -p var
	touch $@

# apt-get only when a package is missing, so repeated runs need no network.
debs:
	@missing=$$(for p in $(RUN_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "apt-get install" $$missing; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

test-debs:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "apt-get install" $$missing; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

bench-debs:
	@missing=$$(for p in $(BENCH_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "apt-get install" $$missing; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity=0

# Refresh the catalogues after changing strings; then translate what is new.
makemessages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules --ignore=bench --no-obsolete
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules --ignore=bench --no-obsolete

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ankang.sqlite3* var/broker var/media var/private var/static
