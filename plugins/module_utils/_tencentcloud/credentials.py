# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the keys come from: options, environment, a profile, the CVM instance role; then, optionally, an assumed role.

The order is the one amazon.aws users know. Fetching and refreshing temporary keys is left to tencentcloud-sdk-python's
providers (tencentcloud.common.credential): CVMRoleCredential reads the instance metadata service, and
STSAssumeRoleCredential keeps assumed-role keys and renews them when they near their end. Every provider answers
get_credential_info() with (secret id, secret key, token), read again before each request.

Lowest layers only (errors): the AssumeRole request itself is made by the caller's function, so that it goes through
the client layer's endpoints, TLS settings and retries.
"""

from __future__ import annotations

import configparser
import json
import os
from dataclasses import dataclass
from typing import Callable, NamedTuple
from urllib.parse import quote

from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

# The SDK's profile file (ProfileCredential reads only its [default] section; any section is read here).
PROFILE_FILES = ("~/.tencentcloud/credentials", "/etc/tencentcloud/credentials")
# tccli's profiles: ~/.tccli/<name>.credential, JSON.
TCCLI_DIRECTORY = "~/.tccli"
DEFAULT_PROFILE = "default"
DEFAULT_SESSION_NAME = "cosops-registry"
DEFAULT_DURATION = 7200
MAX_DURATION = 43200
# Renew assumed-role keys this long before they expire: the CVM role provider's margin, and the TC3 signature window.
REFRESH_MARGIN = 300
SESSION_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-")
MISSING = (
    "Credentials are missing: set secret_id and secret_key (or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY),"
    " a profile (or TENCENTCLOUD_PROFILE), or run on a CVM instance that carries a CAM role."
)


@dataclass(frozen=True)
class AssumeRole:
    """STS AssumeRole's parameters; `policy` (a CAM policy document) narrows what the role's keys may do."""

    role_arn: str
    session_name: str = DEFAULT_SESSION_NAME
    duration: int = DEFAULT_DURATION
    policy: str | None = None

    @classmethod
    def from_option(cls, option: dict | None) -> "AssumeRole | None":
        if not option or not option.get("role_arn"):
            return None
        role = cls(
            role_arn=str(option["role_arn"]),
            session_name=str(option.get("session_name") or DEFAULT_SESSION_NAME),
            duration=DEFAULT_DURATION if option.get("duration") is None else int(option["duration"]),
            policy=_policy_text(option.get("policy")),
        )
        role.validate()
        return role

    def validate(self) -> None:
        if not self.role_arn.startswith("qcs::cam::uin/"):
            raise ValidationError(
                f"assume_role.role_arn {self.role_arn!r} must be a role ARN such as"
                " qcs::cam::uin/100000000001:roleName/registry-deploy."
            )
        if not 2 <= len(self.session_name) <= 128 or not set(self.session_name) <= SESSION_NAME_CHARACTERS:
            raise ValidationError(
                f"assume_role.session_name {self.session_name!r} must be 2 to 128 letters, digits or _+=,.@-."
            )
        if not 1 <= self.duration <= MAX_DURATION:
            raise ValidationError(f"assume_role.duration {self.duration} must be 1 to {MAX_DURATION} seconds.")

    def request(self) -> dict:
        params = {"RoleArn": self.role_arn, "RoleSessionName": self.session_name, "DurationSeconds": self.duration}
        if self.policy:
            # STS URL-decodes Policy before reading it (AssumeRole, api 1312/48197).
            params["Policy"] = quote(self.policy, safe="")
        return params


def _policy_text(policy) -> str | None:
    if policy is None or policy == "":
        return None
    if isinstance(policy, str):
        try:
            json.loads(policy)
        except ValueError:
            raise ValidationError("assume_role.policy must be a CAM policy document (JSON).") from None
        return policy
    return json.dumps(policy, separators=(",", ":"))


class Source(NamedTuple):
    """Where keys were found: a name for messages, an SDK credential object, and a role the source asks to assume."""

    name: str
    credential: object
    role: AssumeRole | None = None


def static_credential(secret_id: str, secret_key: str, token: str | None = None):
    from tencentcloud.common.credential import Credential

    return Credential(secret_id, secret_key, token or None)


def cvm_role_credential(role_name: str | None = None):
    """The instance's role keys from the metadata service, or None where there is no role (or no CVM)."""
    from tencentcloud.common.credential import CVMRoleCredential

    credential = CVMRoleCredential(role_name)
    return credential if credential.get_credential_info()[0] else None


def resolve_source(keys: tuple, profile: str | None, environ=None) -> Source:
    """The first source that has keys: options or environment (merged into `keys`), a profile, the CVM role."""
    secret_id, secret_key, token = keys
    if secret_id or secret_key:
        if not (secret_id and secret_key):
            raise ValidationError("secret_id and secret_key must be set together (or neither, to use a profile).")
        return Source("secret_id", static_credential(secret_id, secret_key, token))
    found = read_profile(profile or DEFAULT_PROFILE, environ)
    if found is not None:
        return found
    if profile:
        raise ValidationError(
            f"Profile {profile!r} is not in {' or '.join(PROFILE_FILES)} and {TCCLI_DIRECTORY}/{profile}.credential"
            " does not exist."
        )
    credential = cvm_role_credential()
    if credential is None:
        raise ValidationError(MISSING)
    return Source("the CVM instance role", credential)


def read_profile(name: str, environ=None) -> Source | None:
    """A section of the SDK's profile file, else tccli's `<name>.credential`; None when neither has it."""
    return _ini_profile(name, environ) or _tccli_profile(name, environ)


def _home(path: str, environ) -> str:
    home = (environ or os.environ).get("HOME")
    return path.replace("~", home, 1) if home and path.startswith("~") else os.path.expanduser(path)


def _ini_profile(name: str, environ) -> Source | None:
    for path in (_home(path, environ) for path in PROFILE_FILES):
        if not os.path.exists(path):
            continue
        parser = configparser.ConfigParser()
        parser.read(path)
        if not parser.has_section(name):
            continue
        section = {key: value.strip().strip('"') for key, value in parser.items(name)}
        return _profile_source(
            f"profile {name} ({path})",
            section.get("secret_id"),
            section.get("secret_key"),
            section.get("token"),
            section.get("role_arn"),
            section.get("role_session_name"),
        )
    return None


def _tccli_profile(name: str, environ) -> Source | None:
    path = os.path.join(_home(TCCLI_DIRECTORY, environ), f"{name}.credential")
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except ValueError:
        raise ValidationError(f"{path} is not JSON, as tccli writes its credential files.") from None
    where = f"tccli profile {name} ({path})"
    if data.get("type") == "cvm-role":
        credential = cvm_role_credential()
        if credential is None:
            raise ValidationError(f"{where} uses the CVM role, but the metadata service gave no role keys.")
        return Source(where, credential, _role(data.get("role-arn"), data.get("role-session-name")))
    return _profile_source(
        where,
        data.get("secretId"),
        data.get("secretKey"),
        data.get("token"),
        data.get("role-arn"),
        data.get("role-session-name"),
    )


def _profile_source(where: str, secret_id, secret_key, token, role_arn, session_name) -> Source:
    if not secret_id or not secret_key:
        raise ValidationError(f"{where} has no secret id and secret key.")
    return Source(where, static_credential(secret_id, secret_key, token), _role(role_arn, session_name))


def _role(role_arn, session_name) -> AssumeRole | None:
    return AssumeRole.from_option({"role_arn": role_arn, "session_name": session_name}) if role_arn else None


def assumed_role_credential(role: AssumeRole, assume: Callable[[dict], dict]):
    """The SDK's STSAssumeRoleCredential, its keys fetched by `assume` (the STS AssumeRole response) and renewed
    REFRESH_MARGIN seconds before they expire.

    The SDK's own fetch signs with a long-lived key and no token, picks no endpoint scheme and sends no Policy; the
    provider's locking and refresh-on-read are kept and only the fetch is replaced.
    """
    from tencentcloud.common.credential import STSAssumeRoleCredential

    class AssumedRoleCredential(STSAssumeRoleCredential):
        def get_sts_tmp_role_arn(self):
            response = assume(role.request())
            keys = response["Credentials"]
            self._tmp_secret_id, self._tmp_secret_key, self._token = (
                keys["TmpSecretId"],
                keys["TmpSecretKey"],
                keys["Token"],
            )
            self._expired_time = int(response["ExpiredTime"]) - REFRESH_MARGIN

    return AssumedRoleCredential(None, None, role.role_arn, role.session_name, role.duration)
