# Two commands on a fresh machine: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
export HAILONG_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/hailong

.PHONY: demo test setup system lint typecheck test-sqlite test-postgres messages vendor-charts clean

demo: setup
	$(VENV)/bin/hailong demo $(ARGS)

# The two databases' suites run side by side (two cores), each with its own var/ directory.
test: setup system node_modules/axe-core/axe.min.js lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "hailong needs Python 3.11"' 
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Debian packages the browser tests and documents need; installed only where missing and apt exists.
system:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -d /usr/share/fonts/truetype/noto || missing="$$missing fonts-noto-core"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install:$$missing" >&2; exit 1; fi; \
	fi

lint: setup
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check

typecheck: setup
	$(VENV)/bin/mypy

test-sqlite: setup
	env -u HAILONG_DATABASE_URL HAILONG_VAR_DIR=$(CURDIR)/var/test-sqlite $(VENV)/bin/pytest -p no:cacheprovider

test-postgres: setup
	HAILONG_DATABASE_URL=$(HAILONG_TEST_POSTGRES_URL) HAILONG_VAR_DIR=$(CURDIR)/var/test-postgres \
	  $(VENV)/bin/pytest -p no:cacheprovider

# Refresh the Vietnamese catalogue after changing strings; translate what it marks, then commit both files.
messages: setup
	cd src/hailong && DJANGO_SETTINGS_MODULE=hailong.settings.base ../../$(VENV)/bin/django-admin \
	  makemessages -l vi --no-obsolete --no-location -i "tests/*"
	msgfmt --check -o src/hailong/locale/vi/LC_MESSAGES/django.mo src/hailong/locale/vi/LC_MESSAGES/django.po

# After upgrading vl-convert: the browser's Vega bundle, the same versions the server draws with.
vendor-charts: setup
	rm -f src/hailong/core/static/core/vendor/vega-*-bundle.min.js
	$(PY) -c 'import vl_convert as v, pathlib; pathlib.Path("src/hailong/core/static/core/vendor/vega-" + v.get_vega_version() + "-bundle.min.js").write_text(v.javascript_bundle())'

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# axe-core for the accessibility checks in the browser tests (npm registry; no browser download).
node_modules/axe-core/axe.min.js:
	npm install --no-save --no-audit --no-fund --silent axe-core@4.11
