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


# The environment form: REGISTRY_STORAGE=cos and REGISTRY_STORAGE_COS_<KEY>, filling what options leave unset.

ENVIRONMENT = {f"REGISTRY_STORAGE_COS_{key.upper()}": value for key, value in REQUIRED.items()}


def chain():
    return ("AKIDchain", "chain-secret", "chain-token")


def test_environment_alone_is_a_whole_configuration():
    cfg = DriverConfig.from_env({"REGISTRY_STORAGE": "cos", **ENVIRONMENT, "REGISTRY_STORAGE_COS_SECURE": "false"})
    assert (cfg.secretid, cfg.secretkey, cfg.bucket, cfg.secure) == (
        "AKIDexample",
        SECRET,
        "registry-1250000000",
        False,
    )


def test_every_optional_key_has_its_variable():
    environ = {
        **ENVIRONMENT,
        "REGISTRY_STORAGE_COS_ROOTDIRECTORY": "/env-root/",
        "REGISTRY_STORAGE_COS_CHUNKSIZE": "6291456",
        "REGISTRY_STORAGE_COS_MAXCONCURRENCY": "3",
        "REGISTRY_STORAGE_COS_SECURE": "no",
        "REGISTRY_STORAGE_COS_ENDPOINT": "127.0.0.1:9400",
    }
    cfg = DriverConfig.from_env(environ)
    assert (cfg.rootdirectory, cfg.chunksize, cfg.maxconcurrency, cfg.secure) == ("env-root", 6 * MIB, 3, False)
    assert cfg.endpoint_url() == "http://127.0.0.1:9400"


def test_options_win_and_the_environment_fills_what_they_leave_unset():
    environ = {**ENVIRONMENT, "REGISTRY_STORAGE_COS_CHUNKSIZE": "6291456", "REGISTRY_STORAGE_COS_ROOTDIRECTORY": "env"}
    options = {"bucket": "other-1250000000", "chunksize": 8 * MIB, "rootdirectory": None, "secure": False}
    cfg = DriverConfig.from_env(environ, options)
    assert (cfg.bucket, cfg.chunksize, cfg.rootdirectory, cfg.secure) == ("other-1250000000", 8 * MIB, "env", False)
    assert cfg.region == "ap-guangzhou"


def test_the_environment_wins_over_fallbacks_and_fallbacks_over_defaults():
    environ = {**ENVIRONMENT, "REGISTRY_STORAGE_COS_REGION": "ap-shanghai"}
    cfg = DriverConfig.from_env(environ, fallbacks={"region": "ap-beijing", "endpoint": "http://127.0.0.1:9400"})
    assert (cfg.region, cfg.endpoint, cfg.chunksize) == ("ap-shanghai", "http://127.0.0.1:9400", 16 * MIB)


@pytest.mark.parametrize("empty", ["", None])
def test_empty_options_and_variables_are_unset(empty):
    environ = {**ENVIRONMENT, "REGISTRY_STORAGE_COS_CHUNKSIZE": "", "REGISTRY_STORAGE_COS_ROOTDIRECTORY": "env"}
    cfg = DriverConfig.from_env(environ, {"rootdirectory": empty, "bucket": empty})
    assert (cfg.chunksize, cfg.rootdirectory, cfg.bucket) == (16 * MIB, "env", "registry-1250000000")


def test_the_key_pair_comes_whole_from_one_place():
    options = {"secretid": "AKIDoption", "secretkey": "option-secret"}
    cfg = DriverConfig.from_env(ENVIRONMENT, options, {"security_token": "fallback-token"}, credentials=chain)
    assert (cfg.secretid, cfg.secretkey, cfg.security_token) == ("AKIDoption", "option-secret", None)
    from_environment = DriverConfig.from_env(ENVIRONMENT, fallbacks={"security_token": "t"}, credentials=chain)
    assert (from_environment.secretid, from_environment.security_token) == ("AKIDexample", None)


def test_credentials_are_asked_only_when_neither_options_nor_environment_give_keys():
    environ = {key: value for key, value in ENVIRONMENT.items() if "SECRET" not in key}
    cfg = DriverConfig.from_env(environ, credentials=chain)
    assert (cfg.secretid, cfg.secretkey, cfg.security_token) == chain()
    assert DriverConfig.from_env(ENVIRONMENT, credentials=lambda: pytest.fail("asked")).secretid == "AKIDexample"


def test_credentials_are_not_asked_before_the_other_settings_pass():
    environ = {"REGISTRY_STORAGE_COS_BUCKET": "registry-1250000000", "REGISTRY_STORAGE_COS_CHUNKSIZE": "1"}
    with pytest.raises(ValidationError, match="CHUNKSIZE"):
        DriverConfig.from_env(environ, {"region": "ap-guangzhou"}, credentials=lambda: pytest.fail("asked"))


@pytest.mark.parametrize(
    "variable, value, rule",
    [
        ("REGISTRY_STORAGE_COS_CHUNKSIZE", "1048576", r"chunksize '1048576' must be a number of bytes between"),
        ("REGISTRY_STORAGE_COS_MAXCONCURRENCY", "0", r"maxconcurrency '0' must be a whole number of at least 1"),
        ("REGISTRY_STORAGE_COS_SECURE", "maybe", r"secure 'maybe' must be true or false"),
        ("REGISTRY_STORAGE_COS_REGION", "Guangzhou", r"Region 'Guangzhou' is not a COS region name"),
        ("REGISTRY_STORAGE_COS_BUCKET", "registry", r"Bucket 'registry' must end in '-<appid>'"),
        ("REGISTRY_STORAGE_COS_ROOTDIRECTORY", "a//b", r"rootdirectory 'a//b' must be empty or"),
    ],
)
def test_a_refused_variable_is_named_with_the_options_rule(variable, value, rule):
    with pytest.raises(ValidationError, match=f"^{variable}: {rule}") as raised:
        DriverConfig.from_env({**ENVIRONMENT, variable: value})
    assert SECRET not in str(raised.value)


def test_the_same_value_as_an_option_is_named_by_its_key():
    with pytest.raises(ValidationError, match="^chunksize '1048576' must be"):
        DriverConfig.from_env(ENVIRONMENT, {"chunksize": "1048576"})


def test_missing_settings_name_their_variables():
    with pytest.raises(ValidationError, match="requires bucket: set the options or REGISTRY_STORAGE_COS_BUCKET"):
        DriverConfig.from_env({"REGISTRY_STORAGE": "cos"}, {"region": "ap-guangzhou"}, credentials=chain)


def test_another_driver_beside_cos_variables_is_refused_as_the_registry_refuses_it():
    with pytest.raises(ValidationError, match="REGISTRY_STORAGE 's3' names another storage driver"):
        DriverConfig.from_env({"REGISTRY_STORAGE": "s3", **ENVIRONMENT})
    # Without REGISTRY_STORAGE_COS_* variables another driver is no concern of the cos settings.
    assert DriverConfig.from_env({"REGISTRY_STORAGE": "s3"}, REQUIRED).bucket == "registry-1250000000"


def test_a_variable_that_is_no_key_is_refused():
    with pytest.raises(ValidationError, match="REGISTRY_STORAGE_COS_CHUNK_SIZE names no cos storage key"):
        DriverConfig.from_env({**ENVIRONMENT, "REGISTRY_STORAGE_COS_CHUNK_SIZE": "6291456"})


@pytest.mark.parametrize("present", ["REGISTRY_STORAGE_COS_SECRETID", "REGISTRY_STORAGE_COS_SECRETKEY"])
def test_half_a_key_pair_in_the_environment_is_refused(present):
    environ = {key: value for key, value in ENVIRONMENT.items() if "SECRET" not in key or key == present}
    with pytest.raises(ValidationError, match="SECRETID and REGISTRY_STORAGE_COS_SECRETKEY must be set together"):
        DriverConfig.from_env(environ, credentials=chain)
