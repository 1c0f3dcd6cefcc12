"""The COS XML API face: addressing, authentication, CAM authorization and the COS dialect around the S3 engine."""

from __future__ import annotations

import io
import logging
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import quote, unquote, unquote_plus
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream

from . import cos_auth, cos_limits, customer_keys, dialect, service, sigv4
from .addressing import (
    DEFAULT_REGION,
    Target,
    bucket_resource,
    check_bucket_name,
    host_without_port,
    locate,
    raw_path,
    resource_text,
)
from .documents import (
    S3_NAMESPACE,
    BucketConfig,
    bucket_config,
    child_text,
    hide_recent,
    keys_to_delete,
    local_name,
    page_of_uploads,
    parts_to_join,
)
from .engine import Engine, EnvironHeaders, FakeKey, FakeMultipart, value_chunks
from .errors import CosError, access_denied, error_response, new_request_id, no_such_bucket
from .iam import token_problem
from .operations import BUCKET, OBJECT, UPLOADS, Operation, classify
from .payload import (
    check_content_md5,
    check_payload_hash,
    drop_aws_chunked,
    read_environ_document,
    set_body,
    spool,
)
from .state import EmulatorState

log = logging.getLogger(__name__)
# Query parameters that carry a signature and mean nothing to the engine.
SIGNATURE_ARGS = set(cos_auth.SIGNATURE_PARAMS) | sigv4.PRESIGN_PARAMS | {"sign", "x-cos-security-token"}
OPTIONAL_ARGS = {
    "marker",
    "key-marker",
    "version-id-marker",
    "upload-id-marker",
    "part-number-marker",
    "delimiter",
    "continuation-token",
    "start-after",
}
# Operations after which a key is newly written (and so hidden from listings for list_delay seconds).
OBJECT_WRITES = {"cos:PutObject", "cos:PutObjectCopy", "cos:CompleteMultipartUpload"}
LISTINGS = {"cos:GetBucket", "cos:ListMultipartUploads", "cos:GetBucketObjectVersions"}
# Answers that carry the object's or the part's CRC-64 (product 436/40334).
OBJECT_CRC64 = {"cos:PutObject", "cos:PutObjectCopy", "cos:GetObject", "cos:HeadObject", "cos:CompleteMultipartUpload"}
PART_CRC64 = {"cos:UploadPart", "cos:UploadPartCopy"}
# SSE-C (customer_keys.py): writes that take a customer key; requests that must bring the key of the object or upload
# they act on; those that may bring it (checked when they do); copies, whose source may need its own.
CUSTOMER_KEY_WRITES = {"cos:PutObject", "cos:PutObjectCopy", "cos:InitiateMultipartUpload"}
CUSTOMER_KEY_READS = {"cos:GetObject", "cos:HeadObject", "cos:UploadPart", "cos:UploadPartCopy"}
CUSTOMER_KEY_OPTIONAL = {"cos:CompleteMultipartUpload", "cos:PostObjectRestore"}
COPIES = {"cos:PutObjectCopy", "cos:UploadPartCopy"}
# cos-python-sdk-v5's copy() also names the source's key when it starts the multipart upload of a large copy, and its
# own SSE-C test expects COS to take it: checked for form there, without effect.
SOURCE_KEY_TAKEN = COPIES | {"cos:InitiateMultipartUpload"}
# COS sub-resources the emulator does not implement, which the engine would take for another request (DELETE ?domain
# for DELETE Bucket, PUT ?inventory for PUT Bucket): refused instead.
UNIMPLEMENTED = (
    "domain",
    "domaincertificate",
    "origin",
    "referer",
    "inventory",
    "intelligenttiering",
    "intelligent-tiering",
    "symlink",
    "append",
)
# Request headers that set an object's ACL, in either dialect.
ACL_HEADER = re.compile(r"x-(?:cos|amz)-(?:acl|grant-[a-z-]+)")
ENGINE_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=emulator/20000101/{region}/s3/aws4_request, SignedHeaders=host, Signature=checked"
)
ENGINE_HEADERS = {"server", "date", "x-amzn-requestid"}
STATUS_CODES = {
    400: "InvalidRequest",
    403: "AccessDenied",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    416: "InvalidRange",
}


TOKEN_NAMES = ("x-cos-security-token", "x-amz-security-token")


def request_token(request: Request) -> str | None:
    """A temporary key's token comes in a header, or in the query of a presigned URL."""
    args = {name.lower(): value for name, value in request.args.items()}
    return next(
        (
            request.headers.get(name) or args.get(name)
            for name in TOKEN_NAMES
            if request.headers.get(name) or args.get(name)
        ),
        None,
    )


def check_token(principal: Any, request: Request) -> None:
    problem = token_problem(principal, request_token(request))
    if problem == "expired":
        raise CosError(400, "ExpiredToken", "The provided token has expired.")
    if problem:
        raise access_denied("The security token is missing or does not belong to the SecretId.")


@dataclass
class Call:
    """One COS request on its way through the face."""

    request: Request
    target: Target
    operation: Operation
    request_id: str
    principal: Any = None
    sign: sigv4.SigV4 | None = None
    region: str | None = None
    source_region: str | None = None  # of the copy source's bucket
    document: bytes | None = None
    bucket_config: BucketConfig | None = None  # what a PUT Bucket asks for
    customer_key: customer_keys.SuppliedKey | None = None  # SSE-C

    @property
    def cos_dialect(self) -> bool:
        """S3 clients (SigV4) get x-amz-* headers back; COS clients x-cos-*."""
        return self.sign is None


class CosFace:
    def __init__(
        self,
        engine: Engine,
        iam: Any,
        state: EmulatorState,
        appid: str,
        owner_uin: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.iam = iam
        self.state = state
        self.appid = appid
        self.owner_uin = owner_uin
        self.clock = clock

    def operation(self, request: Request) -> Operation:
        return classify(request.method, locate(request.environ), request.args, lower_headers(request))

    def handle(self, request: Request) -> Response:
        target = locate(request.environ)
        call = Call(request, target, self.operation(request), new_request_id())
        try:
            self.authenticate(call)
            self.place(call)
            self.authorize(call)
            cos_limits.check_request(call.operation.name, call.request.args)
            self.check_storage_class(call)
            check_implemented(call)
            check_canned_acl(call)
            self.check_customer_keys(call)
            return self.execute(call)
        except CosError as error:
            return self.error(call, error)

    def signer(self, request: Request) -> Any:
        """The principal whose valid COS or SigV4 signature the request carries."""
        call = Call(request, locate(request.environ), self.operation(request), new_request_id())
        self.authenticate(call)
        return call.principal

    def error(self, call: Call, error: CosError) -> Response:
        response = error_response(error.status, error.code, error.message, resource_text(call.target), call.request_id)
        if not call.cos_dialect:
            response.headers["x-amz-request-id"] = call.request_id
        return response

    # Authentication -------------------------------------------------------------------------------------------

    def authenticate(self, call: Call) -> None:
        request = call.request
        authorization = request.headers.get("Authorization", "")
        args = request.args.to_dict()
        cos_fields = cos_auth.signature_fields(authorization, args)
        if cos_fields is not None:
            call.principal = self.verify_cos_signature(call, cos_auth.parse(cos_fields))
        else:
            call.sign = sigv4.authorization_fields(authorization, args, lower_headers(request))
            if call.sign is None:
                raise access_denied("Anonymous access to this resource is not allowed.")
            call.principal = self.verify_sigv4(call, call.sign)
        check_token(call.principal, request)
        self.iam.record_key_use(call.principal.secret_id, "cos")

    def principal_for(self, secret_id: str) -> Any:
        principal = self.iam.lookup_key(secret_id)
        if principal is None:
            raise CosError(403, "InvalidAccessKeyId", "The Access Key Id you provided does not exist in our records.")
        if not principal.active:
            raise CosError(403, "InvalidAccessKeyId", "The Access Key Id you provided is disabled.")
        return principal

    def verify_cos_signature(self, call: Call, sign: cos_auth.CosSignature) -> Any:
        principal = self.principal_for(sign.secret_id)
        request = call.request
        paths = [request.path]
        if call.target.path_style and call.target.bucket:
            paths.append(request.path[len(call.target.bucket) + 1 :] or "/")
        args = [(name, value) for name, value in request.args.items(multi=True) if name not in SIGNATURE_ARGS]
        headers = list(EnvironHeaders(request.environ).items())  # with metadata names as sent (underscores)
        # Clients sign the host name of the URL, which carries no port.
        portless = [(name, host_without_port(value) if name.lower() == "host" else value) for name, value in headers]
        variants = [headers, portless] if portless != headers else [headers]
        cos_auth.verify(sign, principal.secret_key, request.method, paths, args, variants, self.clock())
        return principal

    def verify_sigv4(self, call: Call, sign: sigv4.SigV4) -> Any:
        principal = self.principal_for(sign.secret_id)
        request = call.request
        query = request.environ.get("QUERY_STRING", "")
        pairs = [(unquote_plus(name), unquote_plus(value)) for name, separator, value in split_query(query)]
        sigv4.verify(
            sign,
            principal.secret_key,
            request.method,
            raw_path(request.environ),
            pairs,
            lower_headers(request),
            request.args.to_dict(),
            self.clock(),
        )
        return principal

    # Placement: which region the request is for, and whether the bucket is there --------------------------------

    def place(self, call: Call) -> None:
        target = call.target
        request_region = self.request_region(call)
        if not target.bucket:
            call.region = request_region
            return
        if target.path_style and self.state.path_style_rejected(target.bucket):
            raise CosError(
                403,
                "PathStyleDomainForbidden",
                "Path-style requests are not allowed for this bucket; use <bucket>.cos.<region>.myqcloud.com.",
            )
        if call.operation.name == "cos:PutBucket":
            call.region = request_region or DEFAULT_REGION
            check_bucket_name(target.bucket, self.appid, call.region)
            return
        call.region = self.bucket_region(target.bucket, request_region)
        source = self.copy_source(call)
        if source:
            call.source_region = self.bucket_region(source.bucket, source.region)

    def request_region(self, call: Call) -> str | None:
        host_region = call.target.region
        scope_region = call.sign.region if call.sign else None
        if host_region and scope_region and host_region != scope_region:
            raise CosError(
                400,
                "AuthorizationHeaderMalformed",
                f"The authorization header is malformed; the region '{scope_region}' is wrong; "
                f"expecting '{host_region}'",
            )
        return host_region or scope_region

    def bucket_region(self, bucket_name: str, request_region: str | None) -> str:
        """The bucket's region; a bucket asked for in another region does not exist there."""
        bucket = self.engine.bucket(bucket_name)
        if bucket is None or (request_region and request_region != bucket.region_name):
            raise no_such_bucket()
        return bucket.region_name

    # Authorization ----------------------------------------------------------------------------------------------

    def authorize(self, call: Call) -> None:
        if call.principal.is_root:
            return
        for action, resource, context in self.permissions(call):
            if not self.iam.is_allowed(call.principal, action, resource, context):
                raise access_denied()

    def permissions(self, call: Call) -> Iterator[tuple[str, str, dict | None]]:
        """(CAM action, resource, condition context) for everything the request needs, as COS's documents list it."""
        operation = call.operation
        if operation.name == "cos:DeleteMultipleObjects":
            # A signed batch delete is authorized key by key as DELETE Object (api 436/8289).
            keys = keys_to_delete(read_document(call))
            if not keys:
                raise CosError(400, "MalformedXML", "The XML you provided was not well-formed.")
            for key in keys:
                yield "name/cos:DeleteObject", self.resource(call, key), None
            return
        resource = self.resource(call, call.target.key)
        for action in operation.actions:
            yield action, resource, self.context(call)
        if operation.name in UPLOADS and any(map(ACL_HEADER.fullmatch, lower_headers(call.request))):
            # An ACL sent with an upload is a PutObjectACL as well (COSCLI documentation).
            yield "name/cos:PutObjectACL", resource, None
        source = self.copy_source(call)
        if source:
            yield "name/cos:GetObject", bucket_resource(call.source_region, self.appid, source.bucket, source.key), None

    def resource(self, call: Call, key: str | None) -> str:
        if call.operation.level == OBJECT or key:
            return bucket_resource(call.region, self.appid, call.target.bucket, key or "")
        if call.operation.level == BUCKET:
            return bucket_resource(call.region, self.appid, call.target.bucket)
        return "*"

    def context(self, call: Call) -> dict | None:
        if call.operation.name in LISTINGS:
            return listing_context(call.request.args.get("prefix", ""))
        return None

    def copy_source(self, call: Call) -> dialect.CopySource | None:
        value = call.request.headers.get("x-cos-copy-source") or call.request.headers.get("x-amz-copy-source")
        return dialect.parse_copy_source(value) if value else None

    def check_storage_class(self, call: Call) -> None:
        """A multi-AZ bucket keeps only multi-AZ classes, a single-AZ bucket none (api 436/10881; codes of 436/7730)."""
        if call.operation.name not in UPLOADS:
            return
        headers = lower_headers(call.request)
        value = (headers.get("x-cos-storage-class") or headers.get("x-amz-storage-class") or "").upper()
        if not value:
            return
        multi_az_class = value in dialect.MULTI_AZ_STORAGE_CLASSES
        if self.state.bucket_config(call.target.bucket).multi_az and not multi_az_class:
            raise CosError(
                400,
                "OAZOperationNotSupportOnMAZBucket",
                f"Storage class {value} is not supported by a multi-AZ bucket; use a MAZ_ class or send none.",
            )
        if multi_az_class and not self.state.bucket_config(call.target.bucket).multi_az:
            raise CosError(400, "MAZOperationNotSupportOnOAZBucket", f"Storage class {value} needs a multi-AZ bucket.")

    def check_customer_keys(self, call: Call) -> None:
        """SSE-C keys are well formed, sent over HTTPS, and open what the request reads or adds to."""
        headers, secure, name = lower_headers(call.request), call.request.scheme == "https", call.operation.name
        supplied = customer_keys.supplied_key(headers, customer_keys.OBJECT_HEADERS, secure)
        source = customer_keys.supplied_key(headers, customer_keys.SOURCE_HEADERS, secure)
        if supplied and name not in CUSTOMER_KEY_WRITES | CUSTOMER_KEY_READS | CUSTOMER_KEY_OPTIONAL:
            raise customer_keys.invalid(f"Server-side encryption with a customer key does not apply to {name}.")
        if source and name not in SOURCE_KEY_TAKEN:
            raise customer_keys.invalid(f"A copy source's customer key does not apply to {name}.")
        acted_on = self.encrypted(call)
        if acted_on is not None and (name in CUSTOMER_KEY_READS or (supplied and name in CUSTOMER_KEY_OPTIONAL)):
            customer_keys.check_opens(getattr(acted_on, "cos_customer_key", None), supplied)
        copy = self.copy_source(call) if name in COPIES else None
        if copy:
            original = self.engine.stored_key(copy.bucket, copy.key, copy.version_id)
            if original is not None:
                customer_keys.check_opens(getattr(original, "cos_customer_key", None), source)
        call.customer_key = supplied

    def encrypted(self, call: Call) -> FakeKey | FakeMultipart | None:
        """The object, or the multipart upload, whose customer key a request must bring: None when there is none
        (the engine answers NoSuchKey or NoSuchUpload)."""
        target, args = call.target, call.request.args
        if "uploadId" in args:
            return self.engine.multipart(target.bucket, args["uploadId"])
        if call.operation.name in ("cos:GetObject", "cos:HeadObject", "cos:PostObjectRestore"):
            return self.engine.stored_key(target.bucket, target.key, args.get("versionId"))
        return None

    # Execution --------------------------------------------------------------------------------------------------

    def execute(self, call: Call) -> Response:
        if call.operation.name == "cos:GetService":
            return self.list_buckets(call)
        environ = self.engine_environ(call)
        try:
            if call.operation.name == "cos:CompleteMultipartUpload":
                engine_response = self.complete_multipart_upload(call, environ)
            elif call.operation.name == "cos:GetObject" and streamable(call.request):
                return self.stream_object(call, environ)
            else:
                engine_response = Response.from_app(self.engine.app, environ, buffered=True)
        except CosError:
            raise
        except Exception:
            log.exception("the storage engine failed on %s", call.operation.name)
            raise CosError(500, "InternalError", "We encountered an internal error. Please try again.") from None
        return self.respond(call, engine_response)

    def stream_object(self, call: Call, environ: dict) -> Response:
        """GET Object with the body read from storage as it is sent, not loaded whole first.

        The engine answers the same request as HEAD (conditions, version, range, headers); only the body is ours.
        Anything but a plain readable object goes to the engine's GET, which knows its errors.
        """
        head = Response.from_app(self.engine.app, dict(environ, REQUEST_METHOD="HEAD"), buffered=True)
        key = self.engine.backend.get_object(
            call.target.bucket, call.target.key, version_id=call.request.args.get("versionId")
        )
        archived = head.headers.get("x-amz-storage-class") in dialect.UNREADABLE_STORAGE_CLASSES
        if head.status_code not in (200, 206) or key is None or archived:
            return self.respond(call, Response.from_app(self.engine.app, environ, buffered=True))
        start, end = byte_span(head)
        response = self.respond(call, head)
        response.response = value_chunks(key, start, end)
        return response

    def complete_multipart_upload(self, call: Call, environ: dict) -> Response:
        """Answered here rather than by the engine's app, which would hold the whole object in memory."""
        document = read_environ_document(environ)
        check_content_md5(environ.get("HTTP_CONTENT_MD5"), document)
        bucket, key_name = call.target.bucket, call.target.key
        parts = parts_to_join(document)
        cos_limits.check_completion([number for number, etag in parts])
        key = self.engine.complete_multipart_upload(bucket, call.request.args.get("uploadId", ""), parts)
        result = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="{S3_NAMESPACE}">'
            f"<Location>http://{bucket}.cos.{call.region}.myqcloud.com/{escape(key_name)}</Location>"
            f"<Bucket>{bucket}</Bucket><Key>{escape(key_name)}</Key><ETag>{escape(key.etag)}</ETag>"
            "</CompleteMultipartUploadResult>"
        )
        headers = {"x-amz-version-id": key.version_id} if key.version_id != "null" else {}
        if key.encryption:
            headers["x-amz-server-side-encryption"] = key.encryption
        return Response(result, content_type="application/xml", headers=headers)

    def engine_environ(self, call: Call) -> dict:
        """The request as the engine wants it: path style on an S3 host, S3 headers, no signature, a plain body."""
        environ = dict(call.request.environ)
        target = call.target
        region = call.region or DEFAULT_REGION
        # Checked already; the engine only needs to see that the request was signed at all.
        environ["HTTP_AUTHORIZATION"] = ENGINE_AUTHORIZATION.format(region=region)
        environ["HTTP_HOST"] = environ["SERVER_NAME"] = f"s3.{region}.amazonaws.com"
        environ["SERVER_PORT"] = "80"
        environ["wsgi.url_scheme"] = "http"
        path = f"/{target.bucket}" + (f"/{target.raw_key}" if target.raw_key else "")
        query = engine_query(environ.get("QUERY_STRING", ""))
        environ["QUERY_STRING"] = query
        environ["RAW_URI"] = environ["REQUEST_URI"] = path + (f"?{query}" if query else "")
        environ["PATH_INFO"] = unquote(path).encode().decode("latin-1")
        dialect.translate_request_headers(environ)
        if environ.get("HTTP_X_AMZ_ACL") == "default":
            environ["HTTP_X_AMZ_ACL"] = "private"
        storage_class = environ.get("HTTP_X_AMZ_STORAGE_CLASS", "").upper()
        if storage_class in dialect.MULTI_AZ_STORAGE_CLASSES:  # as S3 clients send them
            environ["HTTP_X_AMZ_STORAGE_CLASS"] = dialect.MULTI_AZ_STORAGE_CLASSES[storage_class]
        self.attach_body(call, environ)
        return environ

    def attach_body(self, call: Call, environ: dict) -> None:
        """The body the engine reads: aws-chunked decoded and signed payloads checked on the way."""
        if call.document is not None:
            set_body(environ, io.BytesIO(call.document), len(call.document))
        # Checked here; the engine would store it as if it were the object's.
        content_sha = environ.pop("HTTP_X_AMZ_CONTENT_SHA256", "")
        if call.sign and not call.sign.presigned:
            if content_sha.startswith("STREAMING-"):
                self.decode_chunked(call, environ, content_sha)
            elif content_sha not in ("", sigv4.UNSIGNED):
                check_payload_hash(environ, content_sha)
        if call.operation.level == BUCKET and call.request.method in ("PUT", "POST"):
            self.attach_document(call, environ)

    def decode_chunked(self, call: Call, environ: dict, content_sha: str) -> None:
        """An aws-chunked body as the plain body it carries, its trailing checksums as headers."""
        signed = call.sign if content_sha in sigv4.STREAMING_SIGNED else None
        reader = sigv4.ChunkReader(get_input_stream(environ), signed, call.principal.secret_key)
        body, size, digest = spool(reader.chunks())
        set_body(environ, body, size)
        for name, value in reader.trailers.items():
            environ[dialect.environ_name(name)] = value
        for name in ("HTTP_X_AMZ_DECODED_CONTENT_LENGTH", "HTTP_X_AMZ_TRAILER"):
            environ.pop(name, None)
        drop_aws_chunked(environ)

    def attach_document(self, call: Call, environ: dict) -> None:
        """Bucket configuration documents are small: checked against Content-MD5, then rewritten for the engine."""
        if call.operation.name == "cos:PutBucket":
            call.bucket_config = bucket_config(read_environ_document(environ))
            document = (
                "<CreateBucketConfiguration><LocationConstraint>"
                f"{call.region}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        else:
            document = read_environ_document(environ)
            check_content_md5(environ.get("HTTP_CONTENT_MD5"), document)
            cos_limits.check_document(call.operation.name, document)
            if call.cos_dialect:
                document = dialect.engine_request_body(document)
        environ.pop("HTTP_CONTENT_MD5", None)
        set_body(environ, io.BytesIO(document), len(document))

    def respond(self, call: Call, engine: Response) -> Response:
        status = engine.status_code
        body = engine.get_data()
        if status >= 400:
            raise engine_error(call, status, body)
        headers = [(name, value) for name, value in engine.headers.items() if name.lower() not in ENGINE_HEADERS]
        name = call.operation.name
        rewritten = body
        if name in LISTINGS and self.state.list_delay:
            rewritten = hide_recent(rewritten, self.state.hidden_from_listing(call.target.bucket))
        if name == "cos:ListMultipartUploads":
            rewritten = page_of_uploads(rewritten, call.request.args)
        if call.cos_dialect:
            headers = dialect.translate_response_headers(headers)
            if name != "cos:GetObject" and body.lstrip().startswith(b"<"):
                rewritten = dialect.cos_response_body(rewritten, self.owner_uin)
        if rewritten is not body:
            headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
        if name in OBJECT_WRITES:
            self.state.record_write(call.target.bucket, call.target.key)
        if name in ("cos:PutBucket", "cos:DeleteBucket"):
            self.state.set_bucket_config(call.target.bucket, call.bucket_config)
        if name == "cos:HeadBucket":
            headers += bucket_type_headers(self.state.bucket_config(call.target.bucket))
        stored = self.stored(call, engine) if status in (200, 206) else None
        if stored is not None:
            headers.append(("x-cos-hash-crc64ecma", str(self.engine.crc64(stored))))
        customer_key = self.keep_customer_key(call, engine, stored)
        if customer_key is not None:
            headers += customer_key.headers("x-cos-" if call.cos_dialect else "x-amz-")
        # A list body keeps the engine's Content-Length, which for HEAD is the object's size.
        response = Response([rewritten], status=status, headers=headers)
        self.stamp(call, response)
        return response

    def stored(self, call: Call, engine: Response) -> FakeKey | None:
        """The object (or part) a successful write or read stands for."""
        name, target, args = call.operation.name, call.target, call.request.args
        if name in PART_CRC64:
            return self.engine.stored_part(target.bucket, args.get("uploadId", ""), args.get("partNumber", ""))
        if name not in OBJECT_CRC64:
            return None
        version = args.get("versionId") if name in ("cos:GetObject", "cos:HeadObject") else None
        version = version or engine.headers.get("x-amz-version-id")
        return self.engine.stored_key(target.bucket, target.key, None if version == "null" else version)

    def keep_customer_key(self, call: Call, engine: Response, stored: FakeKey | None) -> customer_keys.StoredKey | None:
        """The SSE-C key a successful request wrote with (kept with the object, upload or part) or read with."""
        name, supplied = call.operation.name, call.customer_key
        written = customer_keys.StoredKey.of(supplied) if supplied else None
        if name == "cos:InitiateMultipartUpload":
            upload_id = child_text(ET.fromstring(engine.get_data()), "UploadId")
            self.engine.multipart(call.target.bucket, upload_id).cos_customer_key = written
            return written
        if stored is None:
            return None
        if name in ("cos:PutObject", "cos:PutObjectCopy"):
            stored.cos_customer_key = written
        elif name in PART_CRC64:
            upload = self.engine.multipart(call.target.bucket, call.request.args.get("uploadId", ""))
            stored.cos_customer_key = getattr(upload, "cos_customer_key", None)
        return getattr(stored, "cos_customer_key", None)

    def stamp(self, call: Call, response: Response) -> None:
        response.headers["x-cos-request-id"] = call.request_id
        if not call.cos_dialect:
            response.headers["x-amz-request-id"] = call.request_id

    def list_buckets(self, call: Call) -> Response:
        """GET Service: the account's buckets, filtered and paged (emulator/service.py)."""
        query = service.parse_query(call.request.args.to_dict(), call.target.region)
        buckets = [
            service.Bucket(bucket.name, bucket.region_name, bucket.creation_date, self.engine.bucket_tags(bucket.name))
            for bucket in self.engine.buckets()
        ]
        listed, truncated = service.page(buckets, query)
        response = Response(service.document(self.owner_uin, listed, query, truncated), content_type="application/xml")
        self.stamp(call, response)
        return response


def bucket_type_headers(config: BucketConfig) -> list[tuple[str, str]]:
    """HEAD Bucket names a multi-AZ bucket (x-cos-bucket-az-type: MAZ, api 436/7735) and an OFS one
    (x-cos-bucket-arch: OFS, read by cos-python-sdk-v5's get_bucket_meta)."""
    headers = []
    if config.multi_az:
        headers.append(("x-cos-bucket-az-type", "MAZ"))
    if config.ofs:
        headers.append(("x-cos-bucket-arch", "OFS"))
    return headers


def check_implemented(call: Call) -> None:
    unimplemented = [name for name in UNIMPLEMENTED if name in call.request.args]
    if unimplemented:
        raise CosError(501, "NotImplemented", f"The emulator does not implement ?{unimplemented[0]}.")


def check_canned_acl(call: Call) -> None:
    """A canned ACL is one the operation's page names: a bucket's or an object's (dialect.BUCKET_ACLS, OBJECT_ACLS)."""
    headers = lower_headers(call.request)
    value = headers.get("x-cos-acl", headers.get("x-amz-acl"))
    allowed = dialect.BUCKET_ACLS if call.operation.level == BUCKET else dialect.OBJECT_ACLS
    if value is not None and value not in allowed:
        raise CosError(400, "InvalidArgument", f"The canned ACL {value!r} is not one of {', '.join(allowed)}.")


def listing_context(prefix: str) -> dict:
    """cos:prefix is compared URL-encoded: a policy names `registry%2F`, not `registry/` (product 436/46206)."""
    return {"cos:prefix": quote(prefix, safe="-_.~")}


def lower_headers(request: Request) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def split_query(query: str) -> list[tuple[str, str, str]]:
    """(raw name, raw part, raw value) for each name[=value] of a query string."""
    result = []
    for part in query.split("&"):
        if part:
            name, separator, value = part.partition("=")
            result.append((name, part, value))
    return result


def streamable(request: Request) -> bool:
    """response-* overrides only apply to a GET, so the engine answers those itself."""
    return not any(name.startswith("response-") for name in request.args)


def byte_span(head: Response) -> tuple[int, int]:
    """The first and last byte the engine's HEAD answer covers (a range's, or the whole object's)."""
    content_range = head.headers.get("Content-Range", "")
    if content_range.startswith("bytes "):
        first, separator, last = content_range[len("bytes ") :].split("/")[0].partition("-")
        return int(first), int(last)
    return 0, int(head.headers.get("Content-Length") or 0) - 1


def engine_query(query: str) -> str:
    """The query without signature parameters, and without empty markers (COS reads them as absent)."""
    return "&".join(
        part
        for name, part, value in split_query(query)
        if unquote(name) not in SIGNATURE_ARGS and not (value == "" and unquote(name) in OPTIONAL_ARGS)
    )


def read_document(call: Call) -> bytes:
    """A small request document, read once and kept for the engine."""
    if call.document is None:
        call.document = read_environ_document(call.request.environ)
    return call.document


def engine_error(call: Call, status: int, body: bytes) -> CosError:
    """The engine's error as COS's: same code and message; HEAD answers carry none, so derive them."""
    code = message = ""
    if body.lstrip().startswith(b"<"):
        try:
            root = ET.fromstring(body)
            code = next((e.text or "" for e in root.iter() if local_name(e.tag) == "Code"), "")
            message = next((e.text or "" for e in root.iter() if local_name(e.tag) == "Message"), "")
        except ET.ParseError:
            pass
    if not code:
        code = default_code(call, status)
    if status >= 500:
        log.error("the storage engine answered %s on %s: %s", status, call.operation.name, body[:2000])
    return CosError(status, code, message or code)


def default_code(call: Call, status: int) -> str:
    if status == 404:
        return "NoSuchKey" if call.target.key else "NoSuchBucket"
    return STATUS_CODES.get(status, "InternalError" if status >= 500 else "InvalidRequest")
