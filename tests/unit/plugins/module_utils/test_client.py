"""Connection options: fallbacks, endpoint overrides, and the SDK clients they build (no network)."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import (
    ApiClient,
    Connection,
    CosApi,
    action_name,
    api_endpoint_settings,
    cos_endpoint_settings,
)

ENVIRON = {
    "TENCENTCLOUD_SECRET_ID": "AKIDenv",
    "TENCENTCLOUD_SECRET_KEY": "env-secret",
    "TENCENTCLOUD_REGION": "ap-beijing",
    "TENCENTCLOUD_COS_ENDPOINT": "http://127.0.0.1:9400",
}


def test_environment_fills_unset_options():
    connection = Connection.from_params({"secret_id": None, "region": None}, ENVIRON)
    assert (connection.secret_id, connection.secret_key, connection.region) == ("AKIDenv", "env-secret", "ap-beijing")
    assert connection.cos_endpoint == "http://127.0.0.1:9400"


def test_options_win_over_environment():
    connection = Connection.from_params({"secret_id": "AKIDopt", "region": "ap-shanghai", "retries": 1}, ENVIRON)
    assert (connection.secret_id, connection.region, connection.retries) == ("AKIDopt", "ap-shanghai", 1)


def test_missing_credentials_are_refused_before_any_call():
    with pytest.raises(ValidationError, match="secret_id and secret_key"):
        CosApi(Connection(region="ap-guangzhou")).sdk


def test_missing_region_is_refused_for_cos():
    with pytest.raises(ValidationError, match="Region is missing"):
        CosApi(Connection(secret_id="a", secret_key="b"))


def test_address_endpoint_connects_there_with_the_virtual_host_name():
    settings = cos_endpoint_settings("http://127.0.0.1:9400", "ap-guangzhou")
    assert settings == {
        "Region": "ap-guangzhou",
        "Scheme": "http",
        "Endpoint": "cos.ap-guangzhou.myqcloud.com",
        "IP": "127.0.0.1",
        "Port": 9400,
        "ServiceDomain": "127.0.0.1:9400",
    }


def test_domain_endpoint_replaces_the_public_domain():
    settings = cos_endpoint_settings("cos-internal.ap-guangzhou.tencentcos.cn", "ap-guangzhou")
    assert settings == {"Region": "ap-guangzhou", "Scheme": "https", "Endpoint": "cos-internal.ap-guangzhou.tencentcos.cn"}


def test_no_endpoint_means_the_public_one():
    assert cos_endpoint_settings(None, "ap-guangzhou") == {"Region": "ap-guangzhou", "Scheme": "https"}


@pytest.mark.parametrize("endpoint", ["ftp://127.0.0.1", "http://"])
def test_unusable_endpoints_are_refused(endpoint):
    with pytest.raises(ValidationError, match="is not a host or an http"):
        cos_endpoint_settings(endpoint, "ap-guangzhou")


def test_api_endpoint_takes_a_service_placeholder():
    assert api_endpoint_settings("https://{service}.internal.tencentcloudapi.com", "cam") == {
        "endpoint": "cam.internal.tencentcloudapi.com",
        "protocol": "https",
    }
    assert api_endpoint_settings("http://127.0.0.1:9400", "sts") == {"endpoint": "127.0.0.1:9400", "protocol": "http"}
    assert api_endpoint_settings(None, "cam") == {}


def test_cos_client_is_built_once_with_the_sdk_retries_off():
    api = CosApi(Connection(secret_id="AKIDx", secret_key="s", region="ap-guangzhou", cos_endpoint="http://127.0.0.1:1"))
    assert api.sdk is api.sdk
    assert api.sdk._retry == 0
    assert api.sdk._conf._ip == "127.0.0.1"


def test_cos_client_keeps_as_many_connections_as_asked():
    connection = Connection(secret_id="AKIDx", secret_key="s", region="ap-guangzhou")
    adapter = CosApi(connection, pool_size=17).sdk._session.get_adapter("https://cos.ap-guangzhou.myqcloud.com")
    assert adapter._pool_maxsize == 17


def test_api_client_points_at_the_endpoint_override():
    api = ApiClient(Connection(secret_id="AKIDx", secret_key="s", api_endpoint="http://127.0.0.1:9400"), "cam")
    assert api.sdk.profile.httpProfile.endpoint == "127.0.0.1:9400"
    assert api.sdk.profile.httpProfile.scheme == "http"


def test_api_client_leaves_the_sdk_retryer_unset():
    """tencentcloud-sdk-python's StandardRetryer raises the first attempt's error even after a resend succeeds
    (emulator/tests/test_sdk_retries.py): the client layer's own retries are the only ones."""
    api = ApiClient(Connection(secret_id="AKIDx", secret_key="s", api_endpoint="http://127.0.0.1:9400"), "cam")
    assert api.sdk.profile.retryer is None


def test_action_names_follow_cos_documentation():
    assert action_name("put_bucket_lifecycle") == "PutBucketLifecycle"
    assert action_name("head_object") == "HeadObject"
