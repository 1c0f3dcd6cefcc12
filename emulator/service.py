"""GET Service (List Buckets, api 436/8291): the account's buckets, filtered and paged as the page documents.

Filters: one bucket tag (tagkey with tagvalue: a bucket with that tag among its tags), region, creation time
(create-time, a Unix timestamp, with range lt, gt, lte or gte). Paging: marker (buckets after it, by name) and
max-keys (2000 when not given, at most 2000). A filter given by halves, or a value outside its documented set, gets
COS's generic 400 InvalidArgument (api 436/7730; the page names no code).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from xml.sax.saxutils import escape

from .errors import CosError

MAX_KEYS = 2000
RANGES: dict[str, Callable[[int, int], bool]] = {
    "lt": operator.lt,
    "gt": operator.gt,
    "lte": operator.le,
    "gte": operator.ge,
}
# cos-python-sdk-v5's own test of GET Service reads CreationDate with this format: seconds, no fraction.
CREATION_DATE = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str
    created: datetime
    tags: dict[str, str]


@dataclass(frozen=True)
class Query:
    tag: tuple[str, str] | None
    regions: tuple[str, ...]  # the region parameter's and the Host's (cos.<region>.myqcloud.com)
    created: tuple[Callable[[int, int], bool], int] | None
    marker: str
    max_keys: int

    def selects(self, bucket: Bucket) -> bool:
        if self.tag and bucket.tags.get(self.tag[0]) != self.tag[1]:
            return False
        if any(bucket.region != region for region in self.regions):
            return False
        if self.created:
            compare, timestamp = self.created
            return compare(int(bucket.created.timestamp()), timestamp)
        return True


def invalid(message: str) -> CosError:
    return CosError(400, "InvalidArgument", message)


def both_or_neither(args: dict, first: str, second: str) -> tuple[str, str] | None:
    """Two parameters that only mean something together (tagkey and tagvalue, create-time and range)."""
    given = [name for name in (first, second) if args.get(name)]
    if len(given) == 1:
        raise invalid(f"{given[0]} needs {second if given[0] == first else first} too.")
    return (args[first], args[second]) if given else None


def parse_query(args: dict, host_region: str | None) -> Query:
    created = both_or_neither(args, "create-time", "range")
    if created:
        timestamp, bound = created
        if not timestamp.isdigit():
            raise invalid(f"create-time must be a Unix timestamp, not {timestamp!r}.")
        if bound not in RANGES:
            raise invalid(f"range must be one of {', '.join(RANGES)}, not {bound!r}.")
        created = (RANGES[bound], int(timestamp))
    max_keys = args.get("max-keys") or str(MAX_KEYS)
    if not max_keys.isdigit() or not 1 <= int(max_keys) <= MAX_KEYS:
        raise invalid(f"max-keys must be an integer from 1 to {MAX_KEYS}, not {max_keys!r}.")
    return Query(
        both_or_neither(args, "tagkey", "tagvalue"),
        tuple(region for region in (args.get("region"), host_region) if region),
        created,
        args.get("marker") or "",
        int(max_keys),
    )


def page(buckets: list[Bucket], query: Query) -> tuple[list[Bucket], bool]:
    """The selected buckets after the marker, by name, at most max-keys of them, and whether more follow."""
    selected = sorted(
        (bucket for bucket in buckets if bucket.name > query.marker and query.selects(bucket)),
        key=lambda bucket: bucket.name,
    )
    return selected[: query.max_keys], len(selected) > query.max_keys


def document(owner_uin: str, buckets: list[Bucket], query: Query, truncated: bool) -> str:
    owner = f"qcs::cam::uin/{owner_uin}:uin/{owner_uin}"
    entries = "".join(
        f"<Bucket><Name>{escape(bucket.name)}</Name><Location>{bucket.region}</Location>"
        f"<CreationDate>{bucket.created.strftime(CREATION_DATE)}</CreationDate><BucketType>cos</BucketType></Bucket>"
        for bucket in buckets
    )
    paging = (
        f"<Marker>{escape(query.marker)}</Marker><MaxKeys>{query.max_keys}</MaxKeys>"
        f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
    )
    if truncated:
        paging += f"<NextMarker>{escape(buckets[-1].name)}</NextMarker>"
    return (
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListAllMyBucketsResult>"
        f"<Owner><ID>{owner}</ID><DisplayName>{owner_uin}</DisplayName></Owner>"
        f"<Buckets>{entries}</Buckets>{paging}</ListAllMyBucketsResult>"
    )
