# Two commands for a newcomer: `make run` and `make test`. Both set up everything first and are
# idempotent: the system packages are installed only when missing, the venv only when
# pyproject.toml changed.
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
# Debian's Chromium and the fonts screenshots are approved with (see README, "Screenshots");
# SpamAssassin for the spam-score rule (its rules ship in the package; spamd is its own package
# since Debian 12).
APT_PACKAGES := chromium fonts-dejavu-core fonts-liberation2 fonts-noto-core fonts-noto-color-emoji spamassassin spamc spamd
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# JavaScript mjml, for the mjml-js engine tests (skipped without Node.js): installed once, offline after.
MJML_JS     := .cache/mjml-js/node_modules/mjml/package.json

.PHONY: setup system venv mjml-js run test unit mutation mutation-smoke bench clean

setup: system venv mjml-js

mjml-js: $(MJML_JS)

$(MJML_JS):
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/mjml-js mjml@4.18.0 || echo "email-harness: npm install mjml failed; the mjml-js tests will be skipped"; \
	else echo "email-harness: no Node.js here; the mjml-js tests will be skipped"; fi

system:
	@if [ -n "$$EMAIL_HARNESS_SKIP_SYSTEM" ]; then exit 0; fi; \
	if dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "email-harness: no apt-get here; install Chromium and fonts yourself or run 'playwright install chromium' (and SpamAssassin for spam-score)"; exit 0; fi; \
	echo "email-harness: installing $(APT_PACKAGES)"; \
	$(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES)

venv: $(STAMP)

$(STAMP): pyproject.toml
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(VENV)/bin/email-harness run

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE, set in many
# container images, this machine's too): otherwise every pytest process rewrites the asserts of
# ~300 test modules again (collecting tests/unit: 6.5 s, 1.9 s from the cache) and every CLI run a
# test starts compiles the harness anew. It goes to __pycache__ folders, which .gitignore lists.
BYTECODE := PYTHONDONTWRITEBYTECODE=

# -rs: every skipped test is listed with its reason in the summary (the mjml-js tests skip where
# npm install failed); --durations=10: the ten slowest tests, so a slow newcomer is seen at once;
# --dist loadgroup: tests sharing a costly module fixture (the installed wheel) run on one worker.
test: setup
	$(BYTECODE) $(PY) -m pytest -n auto --dist loadgroup -rs --durations=10

unit: venv
	$(BYTECODE) $(PY) -m pytest -q -p no:cacheprovider tests/unit

# About 20 minutes on 2 cores: every mutant of the code that decides a verdict or writes a file
# (mutation/mutmut.toml), against tests/unit; fails under 90% or on a survivor not reviewed in
# mutation/SURVIVORS.md.
mutation: venv
	$(PY) mutation/run.py

# The same machinery on ~30 mutants of shop/guards.py (under a minute); make test runs it too.
mutation-smoke: venv
	$(PY) -m pytest -q -p no:cacheprovider tests/test_mutation_smoke.py

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) report build *.egg-info mutation/work .cache/email-harness
