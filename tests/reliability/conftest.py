"""Fixtures of the reliability suite, and the figures it gathers: every test may record numbers (`figures`), which are
merged across pytest-xdist workers and, when the run has passed, written to docs/reliability.md (once every figure of
the suite is there) and to the measured table of docs/registry-versions.md (once test_listing_delay.py's are).

With `-n N --dist loadscope`, every test of the deployed registry (files test_registry_*.py) goes to one worker, so the
registry is deployed once; other tests are grouped by module, so module-scoped fixtures run once."""

from __future__ import annotations

import json
import secrets

import pytest
from xdist.scheduler import LoadScopeScheduling

from tests.reliability import emulators, report
from tests.support.deployment import Deployment, output, prepare_engine

FIGURES_KEY = "reliability_figures"
REGISTRY_TESTS = "/test_registry_"


class Figures:
    """Numbers one test measured, by name; counts add up across tests, everything else keeps the last value."""

    def __init__(self) -> None:
        self.values: dict[str, float | int | str] = {}

    def add(self, name: str, count: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + count

    def set(self, name: str, value) -> None:
        self.values[name] = value


def pytest_configure(config) -> None:
    config.reliability_figures = {}


@pytest.fixture
def figures(request):
    recorded = Figures()
    yield recorded
    if recorded.values:
        request.config.reliability_figures[request.node.nodeid] = recorded.values


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    """The registry deploy.yml deployed, kept for the session (tests using it share the xdist group "registry")."""
    prepare_engine()
    host_vars = {
        "registry_storage_delete_enabled": True,
        "registry_auth_htpasswd_users": [{"name": "ci", "password": secrets.token_urlsafe(18)}],
    }
    emulator = emulators.start()
    deployed = Deployment(emulator, tmp_path_factory.mktemp("deployment"), host_vars=host_vars, verbosity=4)
    try:
        run = deployed.playbook("deploy.yml")
        assert run.returncode == 0, f"deploy.yml failed:\n{output(run)}"
        yield deployed
    finally:
        deployed.remove()
        emulator.stop()


def pytest_sessionfinish(session, exitstatus) -> None:
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput[FIGURES_KEY] = json.dumps(config.reliability_figures)
        return
    if exitstatus == 0:
        report.write_if_complete(config.reliability_figures)


class RegistryScopeScheduling(LoadScopeScheduling):
    """loadscope, with the tests of the deployed registry in one scope (xdist's loadgroup marks need pytest < 9)."""

    def _split_scope(self, nodeid: str) -> str:
        return "deployed registry" if REGISTRY_TESTS in nodeid else super()._split_scope(nodeid)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadscope":
        return RegistryScopeScheduling(config, log)
    return None


def pytest_testnodedown(node, error) -> None:
    """A pytest-xdist worker finished: keep its figures (this hook only runs where xdist is installed)."""
    figures = json.loads(node.workeroutput.get(FIGURES_KEY, "{}"))
    node.config.reliability_figures.update(figures)
