"""The small XML documents the COS face reads or rewrites itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import unquote

from .errors import CosError

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
ET.register_namespace("", S3_NAMESPACE)
# Most uploads one List Multipart Uploads answers with, and how many it gives without max-uploads (api 436/7736).
MAX_UPLOADS = 1000


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


@dataclass(frozen=True)
class BucketConfig:
    """What a PUT Bucket body asks for (<CreateBucketConfiguration>, api 436/7738): a multi-AZ bucket
    (<BucketAZConfig>MAZ</BucketAZConfig>, else OAZ) and an OFS (metadata-accelerated) one
    (<BucketArchConfig>OFS</BucketArchConfig>, the only value Tencent's SDKs send)."""

    multi_az: bool = False
    ofs: bool = False


def bucket_config(document: bytes) -> BucketConfig:
    if not document.strip():
        return BucketConfig()
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        raise CosError(400, "MalformedXML", "The XML you provided was not well-formed.") from None
    az = next((element.text or "" for element in root.iter() if local_name(element.tag) == "BucketAZConfig"), "OAZ")
    if az not in ("MAZ", "OAZ"):
        raise CosError(400, "InvalidArgument", f"BucketAZConfig must be MAZ or OAZ: {az}")
    arch = next((element.text or "" for element in root.iter() if local_name(element.tag) == "BucketArchConfig"), None)
    if arch not in (None, "OFS"):
        raise CosError(400, "InvalidArgument", f"BucketArchConfig must be OFS: {arch}")
    return BucketConfig(multi_az=az == "MAZ", ofs=arch == "OFS")


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


def page_of_uploads(document: bytes, query: dict) -> bytes:
    """One page of List Multipart Uploads (api 436/7736): uploads after key-marker (and, for that key, after
    upload-id-marker), at most max-uploads of them (1000 when not given), IsTruncated and the Next markers set."""
    root = ET.fromstring(document)
    uploads = [element for element in root if local_name(element.tag) == "Upload"]
    for element in uploads:
        root.remove(element)
    # By key; each key's uploads keep the engine's order, oldest first.
    uploads.sort(key=lambda element: child_text(element, "Key"))
    key_marker, upload_id_marker = query.get("key-marker") or "", query.get("upload-id-marker") or ""
    if key_marker:
        after = [
            index
            for index, element in enumerate(uploads)
            if child_text(element, "Key") == key_marker and child_text(element, "UploadId") == upload_id_marker
        ]
        first = after[0] + 1 if after else sum(1 for element in uploads if child_text(element, "Key") <= key_marker)
        uploads = uploads[first:]
    limit = min(int(query.get("max-uploads") or MAX_UPLOADS), MAX_UPLOADS)
    page, truncated = uploads[:limit], len(uploads) > limit
    fields = {"KeyMarker": key_marker, "UploadIdMarker": upload_id_marker, "MaxUploads": str(limit)}
    fields["IsTruncated"] = "true" if truncated else "false"
    if truncated:
        fields["NextKeyMarker"] = child_text(page[-1], "Key")
        fields["NextUploadIdMarker"] = child_text(page[-1], "UploadId")
    namespace = root.tag[: -len(local_name(root.tag))]
    for name, value in fields.items():
        element = next((child for child in root if local_name(child.tag) == name), None)
        if element is None:
            element = ET.SubElement(root, namespace + name)
        element.text = value
    root.extend(page)
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")
