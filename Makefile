# The two commands a newcomer needs: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test lint install lock clean golden

# Reinstall whenever the pins or the project metadata change.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	# Put the repository on the venv's path, so `python -m generator` works from any folder.
	$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "daily-papers-archive.pth").write_text("$(CURDIR)\n")'
	touch $(STAMP)

install: $(STAMP)

site: $(STAMP)
	$(PY) -m generator build

test: $(STAMP)
	$(PY) -m pytest

# Rewrite tests/golden/ from the fixture archive after an intended change; review the diff.
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(PY) -m pytest -q tests/test_site.py -k golden

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests
	$(VENV)/bin/ruff format --check generator tests
	$(VENV)/bin/mypy

# Re-pin every dependency from pyproject.toml into requirements.lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	{ sed -n '1,2p' requirements.lock; .lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean:
	rm -rf build site
