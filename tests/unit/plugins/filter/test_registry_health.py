"""The health verdict on a registry from its /v2/ and catalog answers, with and without token authentication."""

import pytest
import yaml
from ansible_collections.cosops.registry.plugins.filter.registry_health import RETURN, FilterModule

HEALTH = FilterModule().filters()["registry_health"]
REALM = "https://auth.example.com/token"
CHALLENGE = f'Bearer realm="{REALM}",service="registry.example.com"'
SKIPPED = {"skipped": True, "changed": False}


def answer(status: int, challenge: str = "") -> dict:
    return {"status": status, "www_authenticate": challenge} if challenge else {"status": status}


@pytest.mark.parametrize("v2", [200, 401])
def test_a_registry_that_answers_and_lists_its_storage_is_healthy(v2):
    assert HEALTH(answer(v2), answer(200)) == {
        "ok": True,
        "detail": f"/v2/ HTTP {v2}, catalog through storage HTTP 200",
    }


@pytest.mark.parametrize(
    "v2, catalog, detail",
    [
        (answer(-1), SKIPPED, "/v2/ no answer, catalog through storage not tried"),
        (answer(503), SKIPPED, "/v2/ HTTP 503, catalog through storage not tried"),
        (answer(200), answer(503), "/v2/ HTTP 200, catalog through storage HTTP 503"),
        (answer(200), answer(-1), "/v2/ HTTP 200, catalog through storage no answer"),
        (answer(401), answer(401), "/v2/ HTTP 401, catalog through storage HTTP 401"),
    ],
)
def test_a_registry_that_does_not_reach_its_storage_is_unhealthy(v2, catalog, detail):
    assert HEALTH(v2, catalog) == {"ok": False, "detail": detail}


def test_with_token_authentication_the_bearer_challenge_of_the_realm_on_both_is_healthy():
    verdict = HEALTH(answer(401, CHALLENGE), answer(401, CHALLENGE), REALM)
    assert verdict == {
        "ok": True,
        "detail": f"/v2/ HTTP 401, catalog HTTP 401 with the Bearer challenge of {REALM} (token authentication: the "
        "gate cannot read the catalog, storage is proven by the storage check)",
    }


@pytest.mark.parametrize(
    "v2, catalog",
    [
        pytest.param(answer(401, CHALLENGE), answer(200), id="catalog readable"),
        pytest.param(answer(401, 'Bearer realm="https://other.example.com/token"'), answer(401, CHALLENGE), id="realm"),
        pytest.param(answer(401, 'Basic realm="Registry"'), answer(401, 'Basic realm="Registry"'), id="basic"),
        pytest.param(answer(401, CHALLENGE), SKIPPED, id="catalog not tried"),
        pytest.param(answer(-1), SKIPPED, id="no answer"),
    ],
)
def test_with_token_authentication_anything_else_is_unhealthy(v2, catalog):
    verdict = HEALTH(v2, catalog, REALM)
    assert not verdict["ok"]
    assert f"without the Bearer challenge of {REALM}" in verdict["detail"]


def test_documented_return_keys_are_what_the_filter_returns():
    documented = yaml.safe_load(RETURN)["_value"]
    assert set(documented["contains"]) == set(HEALTH(answer(200), answer(200))) == set(documented["sample"])
