import pytest
from ansible_collections.cosops.registry.plugins.filter.registry_redirect_verdict import FilterModule
from ansible_collections.cosops.registry.plugins.module_utils._registry.redirect_probe import remove_probe
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

VERDICT = FilterModule().filters()["registry_redirect_verdict"]
HOST = "registry-1250000000.cos.ap-guangzhou.myqcloud.com"
BODY = "cosops.registry redirect probe 0123\n"
PROBE = {
    "probe": "/_storage_check/redirect-0123456789ab",
    "url": f"https://{HOST}/registry/_storage_check/redirect-0123456789ab?q-sign-algorithm=sha1",
    "host": HOST,
    "body": BODY,
}
REFUSED = "Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>"
SIGNATURE = "<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>...</Message></Error>"


def fetched(client: str, **result) -> dict:
    return {"item": client, "changed": False, **result}


def test_every_client_fetched_the_object_with_redirects_on():
    fetches = [fetched("runner1", status=200, content=BODY), fetched("runner2", status=200, content=BODY)]
    verdict = VERDICT(["runner1", "runner2"], True, PROBE, fetches)
    assert verdict["ok"] and verdict["checked"] and verdict["redirects"]
    assert verdict["failures"] == []
    assert verdict["summary"] == f"redirects on; runner1, runner2 fetched a presigned URL of {HOST}"
    assert [client["detail"] for client in verdict["clients"]] == ["fetched the object"] * 2


def test_a_client_that_cannot_reach_cos_fails_the_verdict_naming_redirects_and_the_fix():
    fetches = [fetched("runner1", status=200, content=BODY), fetched("runner2", status=-1, msg=REFUSED)]
    verdict = VERDICT(["runner1", "runner2"], True, PROBE, fetches)
    assert not verdict["ok"]
    assert verdict["failures"] == ["runner2"]
    assert verdict["clients"][1]["detail"] == "Request failed: <urlopen error [Errno 111] Connection refused>"
    assert verdict["summary"].startswith("redirects on, but runner2 (Request failed: <urlopen error [Errno 111]")
    assert f"cannot fetch a presigned URL of {HOST}: pulls from them fail" in verdict["summary"]
    assert verdict["summary"].endswith(
        f"Make {HOST} reachable from them, or turn redirects off (registry_storage_redirect_disable: true)."
    )


@pytest.mark.parametrize(
    "result, detail",
    [
        ({"status": 403, "content": SIGNATURE}, "HTTP 403 SignatureDoesNotMatch"),
        ({"status": 502, "content": "<html>bad gateway</html>"}, "HTTP 502"),
        ({"status": 200, "content": "<html>log in to the network</html>"}, "HTTP 200 with other content"),
        ({"unreachable": True, "msg": "ssh: connect to host runner2 port 22"}, "the client did not answer Ansible"),
    ],
)
def test_what_went_wrong_is_said_in_a_phrase(result, detail):
    verdict = VERDICT(["runner2"], True, PROBE, [fetched("runner2", **result)])
    assert not verdict["ok"]
    assert verdict["clients"][0]["detail"].startswith(detail)


def test_with_redirects_off_a_client_that_cannot_reach_cos_is_advice_not_a_failure():
    verdict = VERDICT(["runner2"], False, PROBE, [fetched("runner2", status=-1, msg=REFUSED)])
    assert verdict["ok"] and verdict["checked"] and not verdict["redirects"]
    assert verdict["failures"] == ["runner2"]
    assert verdict["summary"].endswith("keep redirects off for them")


def test_with_redirects_off_clients_that_reach_cos_could_follow_them():
    verdict = VERDICT(["runner1"], "false", PROBE, [fetched("runner1", status=200, content=BODY)])
    assert verdict["ok"] and not verdict["redirects"]
    assert (
        verdict["summary"]
        == f"redirects off; runner1 fetched a presigned URL of {HOST}, so they could follow redirects"
    )


@pytest.mark.parametrize(
    "clients, probe, path_style, says",
    [
        ([], {"skipped": True}, False, "no client was named"),
        (["runner1"], {"skipped": True}, True, "path-style redirect URLs are not presigned here"),
        (["runner1"], {"probe": "", "url": "", "host": HOST, "body": ""}, False, "no probe object in check mode"),
    ],
)
def test_nothing_checked_is_said_and_fails_nothing(clients, probe, path_style, says):
    verdict = VERDICT(clients, True, probe, [], path_style)
    assert verdict["ok"] and not verdict["checked"]
    assert verdict["clients"] == [] and verdict["failures"] == []
    assert says in verdict["summary"] and verdict["summary"].startswith("redirects on; ")


def test_a_client_without_a_fetch_was_not_asked():
    verdict = VERDICT(["runner1", "runner2"], True, PROBE, [fetched("runner1", status=200, content=BODY)])
    assert verdict["failures"] == ["runner2"]
    assert verdict["clients"][1]["detail"] == "not asked"


@pytest.mark.parametrize("path", ["", "/docker/registry/v2/blobs", "/_storage_check/redirect-0123", "/_storage_check"])
def test_only_a_probe_may_be_removed(path):
    with pytest.raises(ValidationError, match=r"must be a path /_storage_check/redirect-<12 hex digits>"):
        remove_probe(None, path, check_mode=False)
