# The two commands (see README):  make demo   — run the main job on the bundled default scenario
#                                 make test   — set up and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# The main job: today's queue at Bao'an (370 cases, 1,252 experts) → teams and sessions, checked
# by the independent checker; the plan is written to out/baoan-plan.json.
demo: $(STAMP)
	$(VENV)/bin/matcher scenario show baoan
	$(VENV)/bin/matcher assign baoan --time-limit 20 --seed 0 --out out/baoan-plan.json
	$(VENV)/bin/matcher check baoan out/baoan-plan.json

# The service tests run against SQLite and a real PostgreSQL, which scripts/postgres.sh installs
# (Debian package) if needed and starts on loopback; scripts/browser.sh installs chromium likewise.
test: $(STAMP)
	scripts/browser.sh >/dev/null  # Debian chromium for the browser tests (tests/web)
	MATCHER_TEST_POSTGRES_URL="$$(scripts/postgres.sh)" $(PY) -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache
