# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Naming rules of a registry's COS storage: bucket names, AppIds, regions and the root directory.

Pure functions; each refusal is one sentence naming the value and the rule. The modules, the storage driver and the
collection's test and filter plugins (so the role's and the playbooks' asserts) all call these, so a rule is written
once and answers alike wherever a value enters.
"""

from __future__ import annotations

import difflib
import re

from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

APPID_PATTERN = re.compile(r"^1\d{9}$")
# A name already ending in "-<appid>" is complete; appending again would give "name-appid-appid".
APPID_SUFFIX = re.compile(r"-(1\d{9})$")
SHORT_NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
REGION_PATTERN = re.compile(r"^[a-z]{2,4}-[a-z]+(?:-[a-z0-9]+)*$")
ROOT_PART_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_HOST_LENGTH = 60
# The regions COS serves, public and finance (product 436/6224, "Regions and Access Endpoints").
COS_REGIONS = (
    "ap-beijing-1",
    "ap-beijing",
    "ap-nanjing",
    "ap-shanghai",
    "ap-guangzhou",
    "ap-chengdu",
    "ap-chongqing",
    "ap-hongkong",
    "ap-singapore",
    "ap-jakarta",
    "ap-seoul",
    "ap-bangkok",
    "ap-tokyo",
    "ap-mumbai",
    "na-siliconvalley",
    "na-ashburn",
    "na-toronto",
    "sa-saopaulo",
    "eu-frankfurt",
    "eu-moscow",
    "ap-beijing-fsi",
    "ap-shanghai-fsi",
    "ap-shenzhen-fsi",
)
# Any AppId has 10 digits, so checking a short name with this one checks the real name's host length too.
PLACEHOLDER_APPID = "1000000000"


def validate_region(region: str) -> str:
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        raise ValidationError(f"Region {region!r} is not a COS region name such as 'ap-guangzhou' (lowercase words joined by hyphens).")
    if region not in COS_REGIONS:
        raise ValidationError(f"Region {region!r} is not one of COS's regions; {closest_region(region)}")
    return region


def closest_region(region: str) -> str:
    """The end of a refusal: the nearest COS region by spelling, or the list when none is near."""
    close = difflib.get_close_matches(region, COS_REGIONS, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"use one of {', '.join(COS_REGIONS)}."


def validate_appid(appid) -> str:
    appid = str(appid)
    if not APPID_PATTERN.match(appid):
        raise ValidationError(f"AppId {appid!r} is not a Tencent Cloud AppId (10 digits starting with 1).")
    return appid


def split_bucket(name: str):
    """('registry', '1250000000') for 'registry-1250000000'; ('registry', None) when the appid is missing."""
    match = APPID_SUFFIX.search(name)
    if match:
        return name[: match.start()], match.group(1)
    return name, None


def bucket_host(bucket: str, region: str) -> str:
    return f"{bucket}.cos.{region}.myqcloud.com"


def validate_bucket_name(bucket: str, region: str | None = None) -> str:
    """Check a full `<name>-<appid>` bucket name against COS rules."""
    short, appid = split_bucket(bucket or "")
    if appid is None:
        raise ValidationError(f"Bucket {bucket!r} must end in '-<appid>' (a 10-digit AppId), as COS bucket names do.")
    _validate_short_name(short, bucket)
    if region is not None:
        host = bucket_host(bucket, region)
        if len(host) > MAX_HOST_LENGTH:
            raise ValidationError(
                f"Bucket {bucket!r} in region {region!r} is too long: the host {host!r} has {len(host)} characters "
                f"and COS allows at most {MAX_HOST_LENGTH}."
            )
    return bucket


def _validate_short_name(short: str, shown: str) -> None:
    if not short:
        raise ValidationError(f"Bucket {shown!r} has an empty name before the AppId.")
    if not SHORT_NAME_PATTERN.match(short):
        raise ValidationError(
            f"Bucket {shown!r} may use only lowercase letters, digits and hyphens, and may not start or end with a hyphen."
        )


def validate_bucket_option(name: str, region: str | None = None) -> str:
    """Check a bucket name given with or without its '-<appid>', before anything looks the AppId up."""
    try:
        qualify_bucket(name, PLACEHOLDER_APPID if needs_appid(name) else None, region)
    except ValidationError as error:
        raise ValidationError(str(error).replace(PLACEHOLDER_APPID, "<appid>")) from None
    return name


def qualify_bucket(name: str, appid, region: str | None = None):
    """Return (full name, appended) where appended says whether '-<appid>' had to be added.

    `appid` is the account's AppId, or a function that looks it up, called only when the name lacks one, or None when
    it is not known. A name that already ends in an AppId other than a given one is refused.
    """
    short, found = split_bucket(name or "")
    if found is None:
        _validate_short_name(short, name)
        if appid is None:
            raise ValidationError(f"Bucket {name!r} has no '-<appid>' and the account's AppId is not known to add it.")
        full = f"{name}-{validate_appid(appid() if callable(appid) else appid)}"
        return validate_bucket_name(full, region), True
    if appid is not None and not callable(appid) and found != str(appid):
        raise ValidationError(f"Bucket {name!r} ends in AppId {found}, not in the account's AppId {appid}.")
    return validate_bucket_name(name, region), False


def bucket_appid(bucket: str) -> str:
    """The AppId a complete bucket name ends in: '1250000000' for 'registry-1250000000'."""
    return split_bucket(validate_bucket_name(bucket))[1]


def needs_appid(name: str) -> bool:
    return split_bucket(name or "")[1] is None


def validate_registry_root(root: str | None) -> str:
    """The registry's rootdirectory without outer slashes ('/registry/' -> 'registry'); empty for the whole bucket.

    '.' and '..' parts would make the object keys and the least-privilege policy's resource disagree about where the
    data lives, and COS keys have no wildcards.
    """
    stripped = ("" if root is None else str(root)).strip("/")
    parts = stripped.split("/") if stripped else []
    if any(not ROOT_PART_PATTERN.match(part) or part in (".", "..") for part in parts):
        raise ValidationError(
            f"rootdirectory {root!r} must be empty or '/'-separated names of letters, digits, '.', '_' and '-', "
            "without empty, '.' or '..' parts."
        )
    return stripped
