"""Which credential source wins, how profiles are read, and when assumed-role keys are renewed (no network)."""

import json
import time
from urllib.parse import unquote

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import Connection
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.credentials import (
    AssumeRole,
    assumed_role_credential,
    resolve_source,
)

ARN = "qcs::cam::uin/100000000001:roleName/registry-deploy"


def write_ini(home, text):
    (home / ".tencentcloud").mkdir(exist_ok=True)
    (home / ".tencentcloud" / "credentials").write_text(text)


def write_tccli(home, name, data):
    (home / ".tccli").mkdir(exist_ok=True)
    (home / ".tccli" / f"{name}.credential").write_text(json.dumps(data))


def keys_of(source):
    return source.credential.get_credential_info()


def test_options_and_environment_come_before_any_profile(tmp_path):
    write_ini(tmp_path, "[default]\nsecret_id = AKIDprofile\nsecret_key = profile-secret\n")
    connection = Connection.from_params({"secret_id": "AKIDopt", "secret_key": "opt"}, {"HOME": str(tmp_path)})
    source = resolve_source((connection.secret_id, connection.secret_key, None), None, {"HOME": str(tmp_path)})
    assert keys_of(source) == ("AKIDopt", "opt", None)


def test_the_default_profile_is_used_when_no_keys_are_given(tmp_path):
    write_ini(tmp_path, "[default]\nsecret_id = AKIDprofile\nsecret_key = profile-secret\n")
    source = resolve_source((None, None, None), None, {"HOME": str(tmp_path)})
    assert keys_of(source) == ("AKIDprofile", "profile-secret", None)
    assert source.name.startswith("profile default")


def test_a_named_profile_is_read_from_the_sdk_file_before_tccli(tmp_path):
    write_ini(
        tmp_path, "[default]\nsecret_id = AKIDdefault\nsecret_key = d\n[deploy]\nsecret_id = AKIDini\nsecret_key = i\n"
    )
    write_tccli(tmp_path, "deploy", {"secretId": "AKIDtccli", "secretKey": "t"})
    assert keys_of(resolve_source((None, None, None), "deploy", {"HOME": str(tmp_path)}))[0] == "AKIDini"


def test_a_tccli_profile_carries_its_token_and_role(tmp_path):
    write_tccli(tmp_path, "ci", {"secretId": "AKIDtccli", "secretKey": "t", "token": "tok", "role-arn": ARN})
    source = resolve_source((None, None, None), "ci", {"HOME": str(tmp_path)})
    assert keys_of(source) == ("AKIDtccli", "t", "tok")
    assert source.role == AssumeRole(ARN)


def test_the_profile_comes_from_tencentcloud_profile():
    connection = Connection.from_params({}, {"TENCENTCLOUD_PROFILE": "ci"})
    assert connection.profile == "ci"


def test_a_named_profile_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(ValidationError, match=r"Profile 'missing' is not in .*missing\.credential"):
        resolve_source((None, None, None), "missing", {"HOME": str(tmp_path)})


def test_a_profile_without_keys_is_refused(tmp_path):
    write_ini(tmp_path, "[empty]\nregion = ap-guangzhou\n")
    with pytest.raises(ValidationError, match="has no secret id and secret key"):
        resolve_source((None, None, None), "empty", {"HOME": str(tmp_path)})


def test_half_a_key_pair_is_refused():
    with pytest.raises(ValidationError, match="secret_id and secret_key must be set together"):
        resolve_source(("AKIDonly", None, None), None, {})


@pytest.mark.parametrize(
    "option, rule",
    [
        ({"role_arn": "registry-deploy"}, "must be a role ARN"),
        ({"role_arn": ARN, "duration": 0}, "1 to 43200 seconds"),
        ({"role_arn": ARN, "session_name": "a b"}, "2 to 128 letters"),
        ({"role_arn": ARN, "policy": "{not json"}, "CAM policy document"),
    ],
)
def test_bad_assume_role_options_are_refused_before_any_call(option, rule):
    with pytest.raises(ValidationError, match=rule):
        Connection.from_params({"assume_role": option}, {})


def test_the_session_policy_is_sent_url_encoded():
    policy = {"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cos:GetObject"], "resource": ["*"]}]}
    request = AssumeRole.from_option({"role_arn": ARN, "policy": policy}).request()
    assert "%22" in request["Policy"] and json.loads(unquote(request["Policy"])) == policy
    assert (request["RoleArn"], request["RoleSessionName"], request["DurationSeconds"]) == (
        ARN,
        "cosops-registry",
        7200,
    )


def sts_answer(calls, lifetime):
    def assume(params):
        calls.append(params)
        number = len(calls)
        return {
            "Credentials": {"TmpSecretId": f"AKIDtmp{number}", "TmpSecretKey": f"key{number}", "Token": f"tok{number}"},
            "ExpiredTime": int(time.time()) + lifetime,
        }

    return assume


def test_assumed_role_keys_are_kept_while_they_have_time_left():
    calls = []
    credential = assumed_role_credential(AssumeRole(ARN), sts_answer(calls, lifetime=3600))
    assert credential.get_credential_info() == ("AKIDtmp1", "key1", "tok1")
    assert credential.get_credential_info() == ("AKIDtmp1", "key1", "tok1")
    assert len(calls) == 1


def test_assumed_role_keys_are_renewed_within_five_minutes_of_expiry():
    calls = []
    credential = assumed_role_credential(AssumeRole(ARN, duration=120), sts_answer(calls, lifetime=120))
    assert credential.get_credential_info() == ("AKIDtmp1", "key1", "tok1")
    assert credential.get_credential_info() == ("AKIDtmp2", "key2", "tok2")
    assert calls[0]["DurationSeconds"] == 120
