"""The small XML documents the COS face reads or rewrites itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import unquote

from .errors import CosError

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
ET.register_namespace("", S3_NAMESPACE)


def keys_to_delete(document: bytes) -> list[str]:
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        raise CosError(400, "MalformedXML", "The XML you provided was not well-formed.") from None
    return [element.text or "" for element in root.iter() if local_name(element.tag) == "Key"]


def parts_to_join(document: bytes) -> list[tuple[int, str]]:
    """(PartNumber, ETag) pairs of a CompleteMultipartUpload document, in the order given."""
    try:
        root = ET.fromstring(document)
        return [
            (int(child_text(part, "PartNumber")), child_text(part, "ETag"))
            for part in root
            if local_name(part.tag) == "Part"
        ]
    except (ET.ParseError, ValueError):
        raise CosError(400, "MalformedXML", "The XML you provided was not well-formed.") from None


def child_text(element: ET.Element, name: str) -> str:
    return next((child.text or "" for child in element if local_name(child.tag) == name), "")


def bucket_az_config(document: bytes) -> str:
    """MAZ or OAZ from a PUT Bucket body (<CreateBucketConfiguration><BucketAZConfig>, api 436/7738); OAZ without one."""
    if not document.strip():
        return "OAZ"
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        raise CosError(400, "MalformedXML", "The XML you provided was not well-formed.") from None
    value = next((element.text or "" for element in root.iter() if local_name(element.tag) == "BucketAZConfig"), "OAZ")
    if value not in ("MAZ", "OAZ"):
        raise CosError(400, "InvalidArgument", f"BucketAZConfig must be MAZ or OAZ: {value}")
    return value


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def hide_recent(document: bytes, hidden: set[str]) -> bytes:
    """A listing without the keys written too recently to be listed yet."""
    if not hidden:
        return document
    root = ET.fromstring(document)
    for element in list(root):
        if local_name(element.tag) in ("Contents", "Upload", "Version"):
            key = next((child.text or "" for child in element if local_name(child.tag) == "Key"), "")
            if key in hidden or unquote(key) in hidden:
                root.remove(element)
    for element in root:
        if local_name(element.tag) == "KeyCount":
            element.text = str(sum(1 for child in root if local_name(child.tag) in ("Contents", "CommonPrefixes")))
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")
