# The two commands a newcomer needs: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test lint install lock clean golden nightly

# Reinstall whenever the pins or the project metadata change.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# Put the repository on the venv's path, so `python -m generator` works from any folder.
	$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "daily-papers-archive.pth").write_text("$(CURDIR)\n")'
	touch $(STAMP)

install: $(STAMP)

site: $(STAMP)
	$(PY) -m generator build

test: $(STAMP)
	$(PY) -m pytest

# Rewrite tests/golden/ from the fixture archive after an intended change; review the diff.
# It only writes: the golden test in `make test` is what compares.
golden: $(STAMP)
	$(PY) -m tests.update_golden

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests bench
	$(VENV)/bin/ruff format --check generator tests bench
	$(VENV)/bin/mypy

# Re-pin every dependency from pyproject.toml into requirements.txt.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	{ sed -n '1,2p' requirements.txt; .lock-venv/bin/pip freeze --exclude-editable; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .lock-venv

clean:
	rm -rf build site

# The whole nightly run, as .github/workflows/nightly.yml calls it: fetch (with FETCH_ARGS from
# the environment, e.g. `--since 2026-01-01 --until 2026-01-31` or `--gaps`), validate, commit
# content/ if it changed, build site/. Pushing and deploying are the workflow's job.
# A day that fails to fetch stops nothing: the days that succeeded are committed and built, and
# only then does make fail, naming the failed days (kept in build/fetch-summary.txt).
# `make nightly PY=/some/venv/bin/python` runs with that interpreter as it is (no install).
BOT_GIT := git -c user.name='github-actions[bot]' \
	-c user.email='41898282+github-actions[bot]@users.noreply.github.com'

nightly: $(if $(filter command line,$(origin PY)),,$(STAMP))
	@mkdir -p build && rm -f build/fetch-summary.txt build/fetch-exit build/fetch-failed.txt
	{ $(PY) -m generator fetch --arxiv $(FETCH_ARGS); echo $$? > build/fetch-exit; } 2>&1 \
		| tee build/fetch-summary.txt
	$(PY) -m generator validate
	git add content
	git diff --cached --quiet -- content || $(BOT_GIT) commit --quiet \
		-m "Nightly fetch ($$(grep -m1 '^days: ' build/fetch-summary.txt))" \
		-m "$$(head -n 40 build/fetch-summary.txt)" -- content
	$(PY) -m generator build
	@# Reached only when everything but the fetch succeeded: build/fetch-failed.txt says so.
	@if [ "$$(cat build/fetch-exit)" != 0 ]; then \
		{ echo "fetch exited $$(cat build/fetch-exit); the other days were committed and built"; \
		  grep -E '^(failed|error|internal error): ' build/fetch-summary.txt; } \
		| tee build/fetch-failed.txt; exit 1; fi
