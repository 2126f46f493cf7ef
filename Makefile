VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast lint bench mutate clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	bash scripts/system-deps.sh
	$(PY) -m pip install -q -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	PSO_ENV=$${PSO_ENV:-development} $(VENV)/bin/pso serve

# One pytest worker per core (pytest-xdist); `loadscope` keeps a test module on one worker,
# so its module-scoped servers and browsers start once. TEST_WORKERS=0: one process. The 25
# slowest steps are listed at the end (where the suite's time goes, docs/testing.md).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=25 $(PYTEST_ARGS)

# The developer's tier: engine, services and API on SQLite, without browser, PostgreSQL or
# slow tests (markers set in tests/conftest.py); `make test` stays the whole suite (CI).
FAST_PATHS := tests/scoring tests/sroi tests/procurement tests/services tests/api
test-fast: $(STAMP)
	$(PY) -m pytest $(FAST_PATHS) -m "not browser and not postgres and not slow" -q $(PYTEST_ARGS)

# One tool a line, so the first that fails stops make (CI runs this: .ci/run). The import
# layers are in pyproject.toml [tool.importlinter], mypy's settings in [tool.mypy].
lint: $(STAMP)
	$(VENV)/bin/ruff check pso scoring sroi certificates tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

# Mutation testing (slow, not in CI): make mutate MODULES=pso/jobs/lease.py [SAMPLE=60] [AGAIN=1]
mutate: $(STAMP)
	SAMPLE=$(SAMPLE) AGAIN=$(AGAIN) $(PY) scripts/mutate.py $(MODULES)

clean:
	rm -rf $(VENV) .pytest_cache .mutate
