# Two commands on a fresh machine: `make run` and `make test`. See README.md.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test test-fast lint format bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Serve the site with demo data on SQLite, and a worker of the queue beside it (it
# publishes and sends the mail); stopping the server stops the worker. Safe to run again:
# keeps the data.
run: $(BIN)/.installed
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py worker --no-reload --queue-name='*' & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
		DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

# The whole suite against a real PostgreSQL server started for the run.
test: $(BIN)/.installed
	scripts/system-deps
	SECRET_KEY=test-only-secret-not-for-any-deployment-0123456789abcdefghij DJANGO_ALLOW_ASYNC_UNSAFE=true \
		scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

# The suite without the browser tests.
test-fast: PYTEST_ARGS = -m "not browser"
test-fast: test

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (benchmarks/run.py): the issue-10 scale data set (built once, then cached in
# benchmarks/out/), pages under load with wrk, publication. Just the scale part, small:
#   make bench BENCH_ARGS="--only scale --regions 2 --editions-per-region 12"
bench: $(BIN)/.installed
	mkdir -p staticfiles
	SECRET_KEY=bench-only-secret-not-for-any-deployment-0123456789abcdefghij DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres $(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles media
