"""The cos storage driver's configuration keys, defaults and rules, checked before any call."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

MIB = 1024 * 1024
SECRET = "s3cr3t-key-value"
REQUIRED = {"secretid": "AKIDexample", "secretkey": SECRET, "region": "ap-guangzhou", "bucket": "registry-1250000000"}


def config(**overrides):
    return DriverConfig.from_parameters({**REQUIRED, **overrides})


def test_defaults_follow_the_contract():
    cfg = config()
    assert (cfg.rootdirectory, cfg.chunksize, cfg.maxconcurrency, cfg.secure) == ("", 16 * MIB, 10, True)
    assert cfg.endpoint is None and cfg.security_token is None


@pytest.mark.parametrize("missing", ["secretid", "secretkey", "region", "bucket"])
def test_each_required_key_is_named_when_missing(missing):
    parameters = {key: value for key, value in REQUIRED.items() if key != missing}
    with pytest.raises(ValidationError, match=f"requires {missing}"):
        DriverConfig.from_parameters(parameters)


@pytest.mark.parametrize("size", [5 * MIB, 100 * MIB, str(8 * MIB), " 6291456 "])
def test_chunksize_within_bounds_is_accepted(size):
    assert config(chunksize=size).chunksize == int(str(size).strip())


@pytest.mark.parametrize("size", [5 * MIB - 1, 100 * MIB + 1, "16M", True, 0])
def test_chunksize_outside_bounds_names_key_value_and_rule(size):
    with pytest.raises(ValidationError, match=r"chunksize .* must be a number of bytes between 5242880 \(5 MiB\)"):
        config(chunksize=size)


@pytest.mark.parametrize("empty", ["", None])
def test_empty_values_mean_unset_as_in_yaml(empty):
    assert config(chunksize=empty, maxconcurrency=empty, secure=empty).chunksize == 16 * MIB


@pytest.mark.parametrize("value, expected", [(1, 1), ("32", 32), (200, 200)])
def test_maxconcurrency_accepts_positive_integers(value, expected):
    assert config(maxconcurrency=value).maxconcurrency == expected


@pytest.mark.parametrize("value", [0, -1, "many", 2.5])
def test_maxconcurrency_below_one_is_refused(value):
    with pytest.raises(ValidationError, match="maxconcurrency .* at least 1"):
        config(maxconcurrency=value)


@pytest.mark.parametrize(
    "value, expected", [(False, False), ("false", False), ("True", True), ("0", False), ("yes", True)]
)
def test_secure_accepts_booleans_and_their_strings(value, expected):
    assert config(secure=value).secure is expected


def test_secure_refuses_other_words():
    with pytest.raises(ValidationError, match="secure 'maybe' must be true or false"):
        config(secure="maybe")


@pytest.mark.parametrize("root, expected", [("/registry/", "registry"), ("a/b", "a/b"), ("/", ""), ("", "")])
def test_rootdirectory_is_stored_without_outer_slashes(root, expected):
    assert config(rootdirectory=root).rootdirectory == expected


@pytest.mark.parametrize("root", ["a//b", "has space", "a/*/b"])
def test_rootdirectory_with_bad_parts_is_refused(root):
    with pytest.raises(ValidationError, match="rootdirectory"):
        config(rootdirectory=root)


def test_bucket_without_appid_is_refused_before_any_call():
    with pytest.raises(ValidationError, match="-<appid>"):
        config(bucket="registry")


def test_region_is_checked():
    with pytest.raises(ValidationError, match="Region 'Guangzhou'"):
        config(region="Guangzhou")


def test_unknown_keys_are_named():
    with pytest.raises(ValidationError, match="Unknown cos storage keys chunk_size"):
        config(chunk_size=5 * MIB)


def test_secret_key_never_appears_in_repr_or_errors():
    assert SECRET not in repr(config())
    with pytest.raises(ValidationError) as raised:
        config(chunksize=1)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    "endpoint, secure, expected",
    [
        (None, True, None),
        (None, False, "http://cos.ap-guangzhou.myqcloud.com"),
        ("127.0.0.1:9400", False, "http://127.0.0.1:9400"),
        ("127.0.0.1:9400", True, "https://127.0.0.1:9400"),
        ("http://127.0.0.1:9400", True, "http://127.0.0.1:9400"),
        ("cos-internal.ap-guangzhou.tencentcos.cn", True, "https://cos-internal.ap-guangzhou.tencentcos.cn"),
    ],
)
def test_secure_picks_the_scheme_only_when_the_endpoint_has_none(endpoint, secure, expected):
    assert config(endpoint=endpoint, secure=secure).endpoint_url() == expected


def test_connection_carries_credentials_region_and_endpoint():
    connection = config(endpoint="http://127.0.0.1:9400", security_token="tok").connection(retries=2)
    assert (connection.secret_id, connection.secret_key, connection.security_token) == ("AKIDexample", SECRET, "tok")
    assert (connection.region, connection.cos_endpoint, connection.retries) == (
        "ap-guangzhou",
        "http://127.0.0.1:9400",
        2,
    )
