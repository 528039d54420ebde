# Two commands for a fresh machine: `make demo` and `make test`. Each creates or refreshes the
# venv for the chosen Blender (bpy wheel) first; a venv is rebuilt only when its pins change.
#   make test BLENDER=4.2|4.5|5.0     run the suite on another Blender (separate venvs)
#   make test PYTEST_ARGS="tests/addon/extension/test_registration.py -x"   run one file
#   make test PYTEST_ARGS="tests/client"                            run one folder

BLENDER ?= 4.5
PYTHON ?= $(shell command -v python3.11 || command -v python3)
ifeq ($(BLENDER),4.5)
VENV ?= .venv
else
VENV ?= .venv-$(BLENDER)
endif
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv test demo cli lint build emulator-assets clean lock bench reliability live-check

$(STAMP): requirements/test.lock requirements/bpy-$(BLENDER).txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 11), "bpy wheels need Python 3.11, got " + sys.version' 
	$(PY) -m pip install --disable-pip-version-check -q -r requirements/test.lock -r requirements/bpy-$(BLENDER).txt
	@touch $@

venv: $(STAMP)

# scripts/run_tests.py is pytest; a native Blender crash fails the run (it names the running test
# and prints the faulthandler stacks); nothing is resumed or rerun.
test: $(STAMP)
	$(PY) scripts/run_tests.py $(PYTEST_ARGS)

demo: $(STAMP)
	$(PY) scripts/demo.py

# The command line from this checkout, as `blender --background --online-mode --command meshy`:
#   make cli ARGS='text-to-3d "a wooden chair" --out chair.glb'    (ARGS="--help" lists all)
ARGS ?= --help
cli: $(STAMP)
	@$(PY) -m meshy_blender.cli $(ARGS)

# The zip in dist/ (path, size and sha256 printed); REPO=DIR also writes a self-hosted
# extension repository there (index.json + index.html), e.g. make build REPO=dist/repo
REPO ?=
build: $(STAMP)
	$(PY) scripts/build_extension.py $(if $(REPO),--repo $(REPO))

# Real files made with Blender for the Meshy emulator (tests and the demo build them on demand).
emulator-assets: $(STAMP)
	$(PY) scripts/make_emulator_assets.py --out build/emulator-assets

# Published figures (docs/benchmarks.md, docs/reliability.md): reports land in out/.
bench: $(STAMP)
	PYTHONPATH=scripts $(PY) -m bench --out out/bench

reliability: $(STAMP)
	PYTHONPATH=scripts $(PY) -m reliability --out out/reliability

# One request of every kind against the real Meshy API (test-mode key unless MESHY_API_KEY):
# prints every difference in answer shapes. Needs internet; never part of `make test`.
live-check: $(STAMP)
	PYTHONPATH=scripts $(PY) -m livecheck

$(LINT_STAMP): requirements/lint.lock
	@test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements/lint.lock
	@touch $@

lint: $(LINT_STAMP)
	$(LINT_VENV)/bin/ruff check meshy_blender scripts tests
	$(LINT_VENV)/bin/mypy

# Re-resolve the pinned lock files from the top-level .in files.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -r requirements/test.in -r requirements/bpy-4.5.txt
	(echo "# Resolved pins for requirements/test.in (pip freeze, bpy excluded). Regenerate with: make lock"; \
	 .venv-lock/bin/pip freeze | grep -v '^bpy==') > requirements/test.lock
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -r requirements/lint.in
	(echo "# Resolved pins for requirements/lint.in. Regenerate with: make lock"; \
	 .venv-lock/bin/pip freeze) > requirements/lint.lock
	rm -rf .venv-lock

clean:
	rm -rf build dist out .pytest_cache .mypy_cache .ruff_cache
