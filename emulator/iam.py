"""The emulator's identity store: one root account, its CAM sub-users, access keys and policies.

Both faces share it: the COS face looks keys up and asks `is_allowed`; the API v3 face runs CAM actions through the
methods below, which enforce CAM's rules and raise `CamError` with CAM's error codes. One lock guards all state
because the server is threaded; methods hand out copies so callers never see a half-made change.
"""

from __future__ import annotations

import copy
import hmac
import json
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field

from emulator import cam_policy
from emulator.errors import ApiError

DEFAULT_APPID = "1250000000"
DEFAULT_OWNER_UIN = "100000000001"
DEFAULT_ROOT_SECRET_ID = "AKIDEMULATORROOT00000000000000000000"
DEFAULT_ROOT_SECRET_KEY = "emulator-root-secret-key-0000000000"

MAX_KEYS_PER_USER = 2
MAX_DESCRIPTION_LENGTH = 300
USER_NAME_RULE = re.compile(r"[\w+=,.@-]{1,64}")
POLICY_NAME_RULE = re.compile(r"[\w+=,.@-]{1,128}")
PASSWORD_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation)
KEY_ALPHABET = string.ascii_letters + string.digits
FIRST_SUB_UIN = 100000010001
FIRST_UID = 11000001
FIRST_CUSTOM_POLICY_ID = 200000001
FIRST_ROLE_ID = 4611686018427397919  # the shape of the role ids in CAM's examples
ROLE_NAME_RULE = re.compile(r"[\w+=,.@-]{1,128}")
MAX_SESSION_SECONDS = 43200
DEFAULT_SESSION_SECONDS = 7200
CVM_SERVICE = "cvm.qcloud.com"

# Preset (QCS) policies a user can attach; ids are stable so tests and docs can name them.
PRESET_POLICIES = {
    "AdministratorAccess": (1, "All permissions on all services", {"action": ["*"], "resource": ["*"]}),
    "QcloudCOSFullAccess": (
        2,
        "Full read-write access to COS",
        {"action": ["name/cos:*"], "resource": ["*"]},
    ),
    "QcloudCOSReadOnlyAccess": (
        3,
        "Read-only access to COS",
        {
            "action": ["name/cos:Head*", "name/cos:Get*", "name/cos:List*", "name/cos:OptionsObject"],
            "resource": ["*"],
        },
    ),
    "QcloudCamFullAccess": (4, "Full access to CAM", {"action": ["name/cam:*"], "resource": ["*"]}),
    "QcloudCamReadOnlyAccess": (
        5,
        "Read-only access to CAM",
        {"action": ["name/cam:Get*", "name/cam:List*"], "resource": ["*"]},
    ),
}


class CamError(ApiError):
    """A CAM request refused; `code` is the API v3 error code."""


@dataclass
class Principal:
    secret_id: str
    secret_key: str
    uin: str
    owner_uin: str
    appid: str
    is_root: bool
    user_name: str | None
    active: bool
    # Temporary keys only: the token they must be sent with, when they stop working and the role they act as.
    token: str | None = None
    expires: float | None = None
    role_id: str | None = None


@dataclass
class AccessKey:
    secret_id: str
    secret_key: str
    uin: str
    create_time: str
    description: str = ""
    active: bool = True
    last_used: float | None = None


@dataclass
class User:
    uin: str
    uid: int
    name: str
    create_time: str
    remark: str = ""
    console_login: int = 0
    phone_num: str = ""
    country_code: str = ""
    email: str = ""
    password: str = ""
    attached: dict[int, str] = field(default_factory=dict)  # policy id -> time attached
    create_uin: str = ""  # who created it: the qcs:create_uin of its resource


@dataclass
class NewUser:
    user: User
    key: AccessKey | None  # the first key, when AddUser asked for API access
    generated_password: str  # set when console login was asked for without a password


@dataclass
class Policy:
    policy_id: int
    name: str
    document: str
    description: str
    preset: bool
    add_time: str
    update_time: str
    statements: tuple[cam_policy.Statement, ...] = ()
    create_uin: str = ""  # empty for preset policies, which no uin of the account created


@dataclass
class Role:
    role_id: str
    name: str
    document: str
    trust: tuple[cam_policy.TrustStatement, ...]
    description: str
    console_login: int
    session_duration: int  # the longest DurationSeconds AssumeRole may ask for; 0 means the documented maximum
    add_time: str
    attached: dict[int, str] = field(default_factory=dict)  # policy id -> time attached


@dataclass
class TemporaryKey:
    """Keys STS hands out for a role: valid only with their token, only until they expire."""

    secret_id: str
    secret_key: str
    token: str
    expires: float
    role_id: str
    session: tuple[cam_policy.Statement, ...] | None  # AssumeRole's Policy, which narrows the role's own


def token_problem(principal: Principal, token: str | None, now: float | None = None) -> str | None:
    """Why a request's token does not fit its key ("missing", "wrong", "expired"); None when it does.

    Long-lived keys need no token; temporary keys work only with theirs and only until they expire.
    """
    if principal.token is None:
        return None
    if not token:
        return "missing"
    if not hmac.compare_digest(token, principal.token):
        return "wrong"
    if (time.time() if now is None else now) >= principal.expires:
        return "expired"
    return None


def policy_variables(principal: Principal) -> dict:
    """The caller's values of CAM's policy variables (product 598/10607)."""
    return {"uin": principal.uin, "owner_uin": principal.owner_uin, "app_id": principal.appid}


def creator_context(create_uin: str) -> dict:
    """The condition key naming a resource's creator (`qcs:create_uin`, product 598/10607); none when unknown."""
    return {"qcs:create_uin": create_uin} if create_uin else {}


def now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


def random_text(alphabet: str, length: int) -> str:
    return "".join(map(secrets.choice, [alphabet] * length))


def generated_password() -> str:
    """32 characters with every class CAM's default password rule asks for."""
    while True:
        password = random_text(string.ascii_letters + string.digits + "!@#$%^&*", 32)
        if all(any(char in chars for char in password) for chars in PASSWORD_CLASSES):
            return password


def check_password(password: str) -> None:
    if len(password) < 8 or not all(any(char in chars for char in password) for chars in PASSWORD_CLASSES):
        raise CamError(
            "InvalidParameter.PasswordViolatedRules",
            "Password must be at least 8 characters with upper and lower case letters, digits and symbols",
        )


def check_description(description: str) -> None:
    if len(description.encode()) > MAX_DESCRIPTION_LENGTH:
        raise CamError(
            "InvalidParameter.DescriptionLengthOverlimit",
            f"Description must not be longer than {MAX_DESCRIPTION_LENGTH} bytes",
        )


def preset_policy(name: str, policy_id: int, description: str, statement: dict) -> Policy:
    document = json.dumps({"version": "2.0", "statement": [dict(statement, effect="allow")]})
    created = "2019-01-01 00:00:00"
    return Policy(
        policy_id, name, document, description, True, created, created, cam_policy.parse_policy_document(document)
    )


class IamStore:
    def __init__(self, appid: str, owner_uin: str, root_secret_id: str, root_secret_key: str) -> None:
        self.appid = appid
        self.owner_uin = owner_uin
        self.root_secret_id = root_secret_id
        self.root_secret_key = root_secret_key
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Back to just the root account, its one key and the preset policies."""
        with self._lock:
            self._users: dict[str, User] = {}  # by uin
            self._keys: dict[str, AccessKey] = {
                self.root_secret_id: AccessKey(self.root_secret_id, self.root_secret_key, self.owner_uin, now_text())
            }
            self._policies: dict[int, Policy] = {
                policy_id: preset_policy(name, policy_id, description, statement)
                for name, (policy_id, description, statement) in PRESET_POLICIES.items()
            }
            self._next_uin = FIRST_SUB_UIN
            self._next_uid = FIRST_UID
            self._next_policy_id = FIRST_CUSTOM_POLICY_ID
            self._roles: dict[str, Role] = {}  # by role id
            self._temporary_keys: dict[str, TemporaryKey] = {}
            self._next_role_id = FIRST_ROLE_ID
            self.instance_role: str | None = None  # the role bound to the emulated CVM instance
            self._instance_key_id: str | None = None

    # --- the interface both faces use -------------------------------------------------------------------------

    def lookup_key(self, secret_id: str) -> Principal | None:
        with self._lock:
            temporary = self._temporary_keys.get(secret_id)
            if temporary is not None:
                role = self._roles.get(temporary.role_id)
                return self._principal(
                    temporary.secret_id,
                    temporary.secret_key,
                    self.owner_uin,
                    is_root=False,
                    user_name=f"role/{role.name if role else temporary.role_id}",
                    active=role is not None,
                    token=temporary.token,
                    expires=temporary.expires,
                    role_id=temporary.role_id,
                )
            key = self._keys.get(secret_id)
            if key is None:
                return None
            user = self._users.get(key.uin)
            return self._principal(
                key.secret_id,
                key.secret_key,
                key.uin,
                is_root=user is None,
                user_name=user.name if user else None,
                active=key.active,
            )

    def _principal(self, secret_id: str, secret_key: str, uin: str, **identity) -> Principal:
        return Principal(secret_id, secret_key, uin, self.owner_uin, self.appid, **identity)

    def record_key_use(self, secret_id: str, service: str) -> None:
        """Remember when a key was last used (any service), for GetSecurityLastUsed."""
        with self._lock:
            key = self._keys.get(secret_id)
            if key is not None:
                key.last_used = time.time()

    def is_allowed(self, principal: Principal, action: str, resource: str, context: dict | None = None) -> bool:
        if principal.is_root:
            return True
        if principal.role_id is not None:
            return self._role_allows(principal, action, resource, context)
        with self._lock:
            user = self._users.get(principal.uin)
            if user is None or not principal.active:
                return False
            statements = [
                statement for policy_id in user.attached for statement in self._policies[policy_id].statements
            ]
        return cam_policy.evaluate(statements, action, resource, context, policy_variables(principal))

    # --- CAM's own resources, as CAM policies name them -------------------------------------------------------

    def user_resource(self, name: str | None = None, uin: str | None = None) -> tuple[str, dict]:
        """(resource, context) of a user named by name or uin: `qcs::cam::uin/<owner>:uin/<uin>`, its creator.

        A user that does not exist has an empty uin and no creator, so only an unconditional grant covers it.
        """
        with self._lock:
            user = self._find_user(name) if name is not None else self._users.get(str(uin))
            if user is None and str(uin) == self.owner_uin:
                return f"qcs::cam::uin/{self.owner_uin}:uin/{self.owner_uin}", {}
        if user is None:
            return f"qcs::cam::uin/{self.owner_uin}:uin/", {}
        return f"qcs::cam::uin/{self.owner_uin}:uin/{user.uin}", creator_context(user.create_uin)

    def policy_resource(self, policy_id: int) -> tuple[str, dict]:
        """(resource, context) of a policy: `qcs::cam::uin/<owner>:policyid/<id>`, its creator."""
        with self._lock:
            policy = self._policies.get(policy_id)
            creator = policy.create_uin if policy else ""
        return f"qcs::cam::uin/{self.owner_uin}:policyid/{policy_id}", creator_context(creator)

    # --- users ------------------------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        remark: str = "",
        console_login: int = 0,
        use_api: int = 0,
        password: str = "",
        phone_num: str = "",
        country_code: str = "",
        email: str = "",
        create_uin: str = "",
    ) -> NewUser:
        """Create a sub-user, with its first key when `use_api`; `create_uin` is the caller that creates it."""
        self._check_user_name(name)
        generated = ""
        if console_login and not password:
            generated = password = generated_password()
        elif password:
            check_password(password)
        with self._lock:
            if self._find_user(name) is not None:
                raise CamError("InvalidParameter.SubUserNameInUse", f"A sub-user named {name} already exists")
            user = User(
                uin=str(self._next_uin),
                uid=self._next_uid,
                name=name,
                create_time=now_text(),
                remark=remark,
                console_login=int(bool(console_login)),
                phone_num=phone_num,
                country_code=country_code,
                email=email,
                password=password,
                create_uin=create_uin,
            )
            self._next_uin += 1
            self._next_uid += 1
            self._users[user.uin] = user
            key = self._new_key(user.uin) if use_api else None
            return NewUser(copy.deepcopy(user), copy.deepcopy(key), generated)

    def get_user(self, name: str) -> User:
        with self._lock:
            return copy.deepcopy(self._user_named(name))

    def list_users(self) -> list[User]:
        with self._lock:
            return copy.deepcopy(list(self._users.values()))

    def update_user(self, name: str, **changes: object) -> None:
        """Change the given attributes (remark, console_login, password, phone_num, country_code, email)."""
        if changes.get("password"):
            check_password(str(changes["password"]))
        with self._lock:
            user = self._user_named(name)
            for attribute, value in changes.items():
                if value is not None:
                    setattr(user, attribute, value)

    def delete_user(self, name: str, force: bool = False) -> None:
        """Refused while the user still has keys, unless `force` deletes them too."""
        with self._lock:
            user = self._user_named(name)
            keys = [key.secret_id for key in self._keys.values() if key.uin == user.uin]
            if keys and not force:
                raise CamError(
                    "OperationDenied.HaveKeys", f"Sub-user {name} still has access keys; delete them or pass Force=1"
                )
            for secret_id in keys:
                del self._keys[secret_id]
            del self._users[user.uin]

    def _check_user_name(self, name: str) -> None:
        if not isinstance(name, str) or not USER_NAME_RULE.fullmatch(name):
            raise CamError(
                "InvalidParameter.UserNameIllegal",
                f"User name {name!r} must be 1-64 characters of letters, digits and +=,.@-_",
            )

    def _find_user(self, name: str) -> User | None:
        return next((user for user in self._users.values() if user.name == name), None)

    def _user_named(self, name: str) -> User:
        user = self._find_user(name)
        if user is None:
            raise CamError("ResourceNotFound.UserNotExist", f"Sub-user {name} does not exist")
        return user

    def _user_with_uin(self, uin: str) -> User:
        user = self._users.get(str(uin))
        if user is None:
            raise CamError("InvalidParameter.UserNotExist", f"User with uin {uin} does not exist")
        return user

    # --- access keys ------------------------------------------------------------------------------------------

    def create_access_key(self, uin: str, description: str = "") -> AccessKey:
        """A new active key for `uin` (the root's or a sub-user's); the only time its secret leaves the store."""
        check_description(description)
        with self._lock:
            self._check_key_owner(uin)
            return copy.deepcopy(self._new_key(str(uin), description))

    def list_access_keys(self, uin: str) -> list[AccessKey]:
        with self._lock:
            self._check_key_owner(uin)
            return copy.deepcopy([key for key in self._keys.values() if key.uin == str(uin)])

    def update_access_key(self, uin: str, secret_id: str, active: bool) -> None:
        with self._lock:
            self._owned_key(uin, secret_id).active = active

    def delete_access_key(self, uin: str, secret_id: str) -> None:
        with self._lock:
            del self._keys[self._owned_key(uin, secret_id).secret_id]

    def key_last_used(self, secret_ids: list[str]) -> list[tuple[str, float | None]]:
        """(secret id, last use as epoch seconds or None) for each known key among `secret_ids`."""
        with self._lock:
            return [(sid, self._keys[sid].last_used) for sid in secret_ids if sid in self._keys]

    def _check_key_owner(self, uin: str) -> None:
        if str(uin) != self.owner_uin:
            self._user_with_uin(uin)

    def _owned_key(self, uin: str, secret_id: str) -> AccessKey:
        self._check_key_owner(uin)
        key = self._keys.get(secret_id)
        if key is None or key.uin != str(uin):
            raise CamError("FailedOperation.Accesskey", f"Access key {secret_id} does not exist for uin {uin}")
        return key

    def _new_key(self, uin: str, description: str = "") -> AccessKey:
        if sum(1 for key in self._keys.values() if key.uin == uin) >= MAX_KEYS_PER_USER:
            raise CamError(
                "OperationDenied.AccessKeyOverLimit", f"Uin {uin} already has {MAX_KEYS_PER_USER} access keys"
            )
        key = AccessKey(
            secret_id="AKID" + random_text(KEY_ALPHABET, 32),
            secret_key=random_text(KEY_ALPHABET, 32),
            uin=uin,
            create_time=now_text(),
            description=description,
        )
        self._keys[key.secret_id] = key
        return key

    # --- policies ---------------------------------------------------------------------------------------------

    def create_policy(self, name: str, document: str, description: str = "", create_uin: str = "") -> Policy:
        self._check_policy_name(name)
        check_description(description)
        statements = self._parse_document(document)
        with self._lock:
            if self._find_policy(name) is not None:
                raise CamError("FailedOperation.PolicyNameInUse", f"A policy named {name} already exists")
            created = now_text()
            policy = Policy(
                self._next_policy_id, name, document, description, False, created, created, statements, create_uin
            )
            self._next_policy_id += 1
            self._policies[policy.policy_id] = policy
            return copy.deepcopy(policy)

    def get_policy(self, policy_id: int) -> Policy:
        with self._lock:
            return copy.deepcopy(self._policy_with_id(policy_id))

    def find_policy_id(self, name: str) -> int:
        policy_id = self.policy_id_or_none(name)
        if policy_id is None:
            raise CamError("ResourceNotFound.PolicyIdNotFound", f"Policy {name} does not exist")
        return policy_id

    def policy_id_or_none(self, name: str) -> int | None:
        with self._lock:
            policy = self._find_policy(name)
            return None if policy is None else policy.policy_id

    def update_policy(
        self, policy_id: int, *, name: str | None = None, document: str | None = None, description: str | None = None
    ) -> Policy:
        """Change a custom policy's name, document or description; preset policies cannot change."""
        if name is not None:
            self._check_policy_name(name)
        if description is not None:
            check_description(description)
        statements = self._parse_document(document) if document is not None else None
        with self._lock:
            policy = self._custom_policy(policy_id)
            if name is not None and name != policy.name:
                if self._find_policy(name) is not None:
                    raise CamError("FailedOperation.PolicyNameInUse", f"A policy named {name} already exists")
                policy.name = name
            if statements is not None:
                policy.document, policy.statements = document, statements
            if description is not None:
                policy.description = description
            policy.update_time = now_text()
            return copy.deepcopy(policy)

    def delete_policies(self, policy_ids: list[int]) -> None:
        """Delete custom policies (all or none), detaching them from every user."""
        with self._lock:
            for policy_id in policy_ids:
                self._custom_policy(policy_id)
            for policy_id in policy_ids:
                self._policies.pop(policy_id, None)
                for holder in [*self._users.values(), *self._roles.values()]:
                    holder.attached.pop(policy_id, None)

    def list_policies(self, scope: str = "All", keyword: str = "") -> list[Policy]:
        """Policies by id; scope QCS = preset, Local = custom; keyword matches names, ignoring case."""
        if scope not in ("All", "QCS", "Local"):
            raise CamError("InvalidParameter.ScopeError", f"Scope {scope!r} must be All, QCS or Local")
        with self._lock:
            policies = [
                policy
                for policy in sorted(self._policies.values(), key=lambda policy: policy.policy_id)
                if (scope == "All" or policy.preset == (scope == "QCS")) and keyword.lower() in policy.name.lower()
            ]
            return copy.deepcopy(policies)

    def policy_attachments(self, policy_id: int) -> int:
        with self._lock:
            return sum(1 for user in self._users.values() if policy_id in user.attached)

    def attach_user_policy(self, policy_id: int, uin: str) -> None:
        with self._lock:
            self._policy_with_id(policy_id)
            self._user_with_uin(uin).attached.setdefault(policy_id, now_text())

    def detach_user_policy(self, policy_id: int, uin: str) -> None:
        with self._lock:
            self._policy_with_id(policy_id)
            self._user_with_uin(uin).attached.pop(policy_id, None)

    def list_attached_user_policies(self, uin: str) -> list[tuple[Policy, str]]:
        """(policy, time attached) for each policy attached to the user, in attachment order."""
        with self._lock:
            user = self._user_with_uin(uin)
            return copy.deepcopy([(self._policies[policy_id], added) for policy_id, added in user.attached.items()])

    def _check_policy_name(self, name: str) -> None:
        if not isinstance(name, str) or not POLICY_NAME_RULE.fullmatch(name):
            raise CamError(
                "InvalidParameter.PolicyNameError",
                f"Policy name {name!r} must be 1-128 characters of letters, digits and +=,.@-_",
            )

    @staticmethod
    def _parse_document(document: str) -> tuple[cam_policy.Statement, ...]:
        if not isinstance(document, str):
            raise CamError("InvalidParameter.PolicyDocumentError", "PolicyDocument must be a JSON string")
        try:
            return cam_policy.parse_policy_document(document)
        except cam_policy.PolicyDocumentError as exc:
            raise CamError(exc.code, exc.message) from None

    def _find_policy(self, name: str) -> Policy | None:
        return next((policy for policy in self._policies.values() if policy.name == name), None)

    def _policy_with_id(self, policy_id: int) -> Policy:
        policy = self._policies.get(policy_id)
        if policy is None:
            raise CamError("ResourceNotFound.PolicyIdNotFound", f"Policy {policy_id} does not exist")
        return policy

    def _custom_policy(self, policy_id: int) -> Policy:
        policy = self._policy_with_id(policy_id)
        if policy.preset:
            raise CamError("InvalidParameter.PolicyIdError", f"Policy {policy_id} is a preset policy and cannot change")
        return policy

    # --- roles and their temporary keys -----------------------------------------------------------------------

    def create_role(
        self, name: str, document: str, description: str = "", console_login: int = 0, session_duration: int = 0
    ) -> Role:
        if not isinstance(name, str) or not ROLE_NAME_RULE.fullmatch(name):
            raise CamError(
                "InvalidParameter.RoleNameError",
                f"Role name {name!r} must be 1-128 characters of letters, digits and +=,.@-_",
            )
        if not 0 <= session_duration <= MAX_SESSION_SECONDS:
            raise CamError("InvalidParameter.ParamError", f"SessionDuration must be 0 to {MAX_SESSION_SECONDS} seconds")
        check_description(description)
        try:
            trust = cam_policy.parse_trust_document(document)
        except cam_policy.PolicyDocumentError as exc:
            raise CamError(exc.code, exc.message) from None
        with self._lock:
            if self._find_role(name) is not None:
                raise CamError("InvalidParameter.RoleNameInUse", f"A role named {name} already exists")
            role = Role(
                str(self._next_role_id), name, document, trust, description, console_login, session_duration, now_text()
            )
            self._next_role_id += 1
            self._roles[role.role_id] = role
            return copy.deepcopy(role)

    def get_role(self, role_id: str | None = None, name: str | None = None) -> Role:
        with self._lock:
            return copy.deepcopy(self._role(role_id, name))

    def delete_role(self, role_id: str | None = None, name: str | None = None) -> None:
        """The role goes, and with it every temporary key issued for it."""
        with self._lock:
            role = self._role(role_id, name)
            del self._roles[role.role_id]
            self._temporary_keys = {
                secret_id: key for secret_id, key in self._temporary_keys.items() if key.role_id != role.role_id
            }
            if self.instance_role == role.name:
                self.instance_role = None

    def attach_role_policy(self, policy: int | str, role_id: str | None = None, name: str | None = None) -> None:
        with self._lock:
            policy_id = self._policy_reference(policy)
            self._role(role_id, name).attached.setdefault(policy_id, now_text())

    def detach_role_policy(self, policy: int | str, role_id: str | None = None, name: str | None = None) -> None:
        with self._lock:
            policy_id = self._policy_reference(policy)
            self._role(role_id, name).attached.pop(policy_id, None)

    def role_arn(self, role: Role) -> str:
        return f"qcs::cam::uin/{self.owner_uin}:roleName/{role.name}"

    def role_for_arn(self, arn: str) -> Role:
        """`qcs::cam::uin/<owner>:roleName/<name>` or `...:role/<role id>`, the forms AssumeRole documents."""
        prefix = f"qcs::cam::uin/{self.owner_uin}:"
        kind, slash, value = arn[len(prefix) :].partition("/") if arn.startswith(prefix) else ("", "", "")
        if kind not in ("roleName", "role") or not slash or not value:
            raise CamError(
                "InvalidParameter.ResouceError", f"RoleArn {arn!r} is not a role of account {self.owner_uin}"
            )
        with self._lock:
            role = self._find_role(value) if kind == "roleName" else self._roles.get(value)
            if role is None:
                raise CamError("ResourceNotFound.RoleNotFound", f"Role {arn} does not exist")
            return copy.deepcopy(role)

    def issue_temporary_key(
        self, role: Role, duration: int, session: tuple[cam_policy.Statement, ...] | None = None
    ) -> TemporaryKey:
        key = TemporaryKey(
            secret_id="AKID" + random_text(KEY_ALPHABET, 32),
            secret_key=random_text(KEY_ALPHABET, 32),
            token=random_text(KEY_ALPHABET, 96),
            expires=time.time() + duration,
            role_id=role.role_id,
            session=session,
        )
        with self._lock:
            self._temporary_keys[key.secret_id] = key
            return copy.deepcopy(key)

    def expire_temporary_keys(self) -> int:
        """Every temporary key issued so far stops working now, as if its lifetime had passed."""
        with self._lock:
            for key in self._temporary_keys.values():
                key.expires = min(key.expires, time.time() - 1)
            return len(self._temporary_keys)

    def bind_instance_role(self, name: str | None) -> None:
        """The role the CVM instance carries; only a role whose carrier is cvm.qcloud.com can be bound."""
        with self._lock:
            if name is not None and not cam_policy.trusts(self._role(None, name).trust, (), CVM_SERVICE):
                raise CamError("InvalidParameter.PrincipalServiceNotExist", f"Role {name} does not trust {CVM_SERVICE}")
            self.instance_role = name

    def instance_key(self, duration: int) -> TemporaryKey | None:
        """The keys the instance's role hands out: the same ones until they expire, then new ones."""
        with self._lock:
            role = self._find_role(self.instance_role) if self.instance_role else None
            if role is None:
                return None
            current = self._temporary_keys.get(self._instance_key_id or "")
            if current is not None and current.role_id == role.role_id and current.expires > time.time():
                return copy.deepcopy(current)
            key = self.issue_temporary_key(role, duration)
            self._instance_key_id = key.secret_id
            return key

    def _role_allows(self, principal: Principal, action: str, resource: str, context: dict | None) -> bool:
        with self._lock:
            role = self._roles.get(principal.role_id)
            temporary = self._temporary_keys.get(principal.secret_id)
            if role is None or temporary is None:
                return False
            statements = [
                statement for policy_id in role.attached for statement in self._policies[policy_id].statements
            ]
            session = temporary.session
        return cam_policy.evaluate_session(statements, session, action, resource, context, policy_variables(principal))

    def _role(self, role_id: str | None, name: str | None) -> Role:
        role = self._roles.get(str(role_id)) if role_id else self._find_role(name) if name else None
        if role is None:
            raise CamError("InvalidParameter.RoleNotExist", f"Role {role_id or name} does not exist")
        return role

    def _find_role(self, name: str) -> Role | None:
        return next((role for role in self._roles.values() if role.name == name), None)

    def _policy_reference(self, policy: int | str) -> int:
        if isinstance(policy, int):
            return self._policy_with_id(policy).policy_id
        found = self._find_policy(policy)
        if found is None:
            raise CamError("ResourceNotFound.PolicyIdNotFound", f"Policy {policy} does not exist")
        return found.policy_id
