"""Fixtures of the playbook tests: the container engine, and deployments on the emptied emulator per test module."""

from __future__ import annotations

import pytest

from tests.support.deployment import Deployment, prepare_engine


@pytest.fixture(scope="session")
def engine() -> None:
    """dockerd running and the registry:3 stand-in built."""
    prepare_engine()


@pytest.fixture(scope="module")
def deployments(emulator_server, engine, tmp_path_factory):
    """Makes deployments (registry hosts, client hosts, extra registry host variables) and removes their containers when the module is done."""
    emulator_server.reset()
    made: list[Deployment] = []

    def make(*hosts: str, clients: dict | None = None, **host_vars) -> Deployment:
        deployment = Deployment(emulator_server, tmp_path_factory.mktemp("deployment"), hosts, host_vars, clients or {})
        # A bucket created after 2024: path-style requests to it are refused.
        emulator_server.state.set_path_style(deployment.bucket, True)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.remove()
