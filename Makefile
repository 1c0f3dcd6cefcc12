# cosops.registry: two commands for people (`make demo`, `make test`), the rest are their parts.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# The collection as ansible-test and ansible-galaxy expect to find it.
BUILD_DIR ?= $(CURDIR)/.build
COLLECTIONS := $(BUILD_DIR)/collections
COLLECTION := $(COLLECTIONS)/ansible_collections/cosops/registry
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
# Where the tests write what they measure (tests/support/figures.py); `make figures` publishes it into docs/figures.
export COSOPS_FIGURES_DIR ?= $(BUILD_DIR)/figures
# distribution's s3 driver panics when this is set; the SDKs find the CA bundle on their own.
unexport AWS_CA_BUNDLE
PYTEST_WORKERS ?= 2
# Integration targets to run (all by default), e.g. `make integration TARGETS="cos_bucket cos_lifecycle"`.
TARGETS ?=

.PHONY: help
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt tests/requirements.txt tests/api-definitions.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r tests/requirements.txt
	# Only its API definitions are read: its dependencies would replace the SDK packages pinned above.
	$(BIN)/pip install --quiet --no-deps -r tests/api-definitions.txt
	$(BIN)/python tests/setup/install_get_pip.py
	touch $@

.PHONY: venv
venv: $(VENV)/.installed  ## Python virtual environment with everything the tests need

.PHONY: system
system:  ## Debian packages the tests need (root)
	tools/system-packages.sh

.PHONY: collection
collection: venv  ## copy the working tree to where ansible-test expects a collection
	rm -rf $(COLLECTION) && mkdir -p $(COLLECTION)
	git ls-files -z --cached --others --exclude-standard \
	  | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C $(COLLECTION)
	# Its own repository, so ansible-test lists its files even when BUILD_DIR lies inside this (ignoring) checkout.
	git -C $(COLLECTION) init --quiet

.PHONY: sanity
sanity: collection  ## ansible-test sanity, every test
	cd $(COLLECTION) && ansible-test sanity --local --python 3.11 --requirements --color no

.PHONY: lint
lint: collection  ## ansible-lint, production profile
	cd $(COLLECTION) && ansible-lint --profile production --offline

.PHONY: units
units: venv  ## unit tests: pure logic, no network
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) tests/unit

.PHONY: conformance
conformance: venv  ## distribution's storage driver suite against the COS driver (emulator; real COS with COS_* set)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) tests/conformance

.PHONY: bench
bench: export COSOPS_FIGURES_DIR := $(CURDIR)/docs/figures
bench: venv  ## 1 GiB upload: COS driver vs cos-python-sdk-v5 vs one PUT, walk requests, registry_storage_sync vs rclone, registry_garbage_collect vs registry garbage-collect; writes docs/figures
	tools/system-packages.sh rclone
	tools/go-programs.sh registry >/dev/null
	$(BIN)/python -m bench.storage_bench
	$(BIN)/python -m bench.sync_bench
	$(BIN)/python -m bench.gc_bench

.PHONY: gc
gc: venv system  ## registry_garbage_collect against distribution v3's collector (fixed seeds) and with pushes going on
	tools/go-programs.sh registry >/dev/null
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) tests/gc

.PHONY: gc-seeds
gc-seeds: venv system  ## the differential suite on many seeds (GC_SEEDS, 100 by default; slow)
	tools/go-programs.sh registry >/dev/null
	GC_SEEDS=$${GC_SEEDS:-100} $(BIN)/pytest -q -n $(PYTEST_WORKERS) tests/gc/test_differential.py

.PHONY: emulator-tests
emulator-tests: venv system  ## the emulator proven with real clients
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) emulator/tests

.PHONY: integration
integration: collection system  ## integration targets against the emulator
	$(BIN)/python -m emulator.session --config $(COLLECTION)/tests/integration/integration_config.yml -- \
	  bash -c 'cd $(COLLECTION) && ansible-test integration --local --python 3.11 --color no $(TARGETS)'

.PHONY: molecule
molecule: collection system  ## the registry role: rendered configs served by docker-registry, then molecule scenarios
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) tests/role
	trap 'tools/dockerd.sh stop' EXIT; tools/dockerd.sh start; \
	$(BIN)/python -m emulator.session --reject-path-style --config $(BUILD_DIR)/molecule/emulator.yml -- \
	  env EMULATOR_CONFIG=$(BUILD_DIR)/molecule/emulator.yml bash -c 'cd $(COLLECTION)/roles/registry && \
	  molecule --base-config molecule/shared/base.yml test $(if $(SCENARIO),--scenario-name $(SCENARIO),--all)'

.PHONY: reliability
reliability: venv system  ## faults, secrets, bad input, least privilege, load, nothing lost, lagging listings; figures in .build/figures
	tools/go-programs.sh registry >/dev/null
	tools/dockerd.sh start
	trap 'tools/dockerd.sh stop' EXIT; \
	tools/registry-image.sh docker registry:3 && \
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadscope tests/reliability

.PHONY: playbooks
playbooks: venv system  ## deploy, check, rotate_credentials, garbage_collect (HAProxy in front) and OCI conformance against the emulator
	tools/dockerd.sh start
	tools/go-programs.sh conformance >/dev/null
	trap 'tools/dockerd.sh stop' EXIT; \
	tools/registry-image.sh docker registry:3 && \
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile tests/playbooks

.PHONY: emulator
emulator: venv  ## run the emulator in the foreground on port 9400
	$(BIN)/python -m emulator --port 9400

.PHONY: figures
figures:  ## publish the figures the last test run measured (.build/figures) into docs/figures
	@ls $(COSOPS_FIGURES_DIR)/*.md >/dev/null 2>&1 || { echo "No figures in $(COSOPS_FIGURES_DIR): run make test first." >&2; exit 1; }
	cp $(COSOPS_FIGURES_DIR)/*.md docs/figures/

.PHONY: test
# The fast stages first: make stops at the first stage that fails.
test: venv units system sanity lint package emulator-tests conformance integration molecule reliability gc playbooks  ## everything CI runs

.PHONY: demo
demo: venv system collection  ## the main job against the bundled emulator (it keeps running: `make demo-clean`)
	$(BIN)/python -m demo.demo run

.PHONY: demo-clean
demo-clean: venv  ## stop what `make demo` left running
	$(BIN)/python -m demo.demo clean

.PHONY: build
build: collection  ## collection tarball
	cd $(COLLECTION) && ansible-galaxy collection build --force --output-path $(BUILD_DIR)

.PHONY: package
package: build  ## the tarball installs offline and ansible-doc renders every module and filter from it
	tests/setup/check-package.sh $(BUILD_DIR)

.PHONY: clean
clean:  ## remove build output (keeps the venv)
	rm -rf .build tests/output
