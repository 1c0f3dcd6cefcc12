"""Real, unmodified SDK clients pointed at the emulator, configured the way the collection configures them."""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from qcloud_cos import CosConfig, CosS3Client
from tencentcloud.cam.v20190116 import cam_client
from tencentcloud.cam.v20190116 import models as cam_models
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sts.v20180813 import sts_client

REGION = "ap-guangzhou"


def endpoint_parts(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def cos_client(url: str, secret_id: str, secret_key: str, region: str = REGION, **options) -> CosS3Client:
    """cos-python-sdk-v5 connecting to the emulator's address with the virtual-host name in Host."""
    scheme, host, port = endpoint_parts(url)
    config = CosConfig(
        Region=region,
        SecretId=secret_id,
        SecretKey=secret_key,
        Scheme=scheme,
        Endpoint=f"cos.{region}.myqcloud.com",
        IP=host,
        Port=port,
        ServiceDomain=f"{host}:{port}",
        **options,
    )
    return CosS3Client(config)


def cos_client_from_environment() -> CosS3Client:
    """cos_client for the emulator named by TENCENTCLOUD_COS_ENDPOINT, as root (TENCENTCLOUD_SECRET_ID/SECRET_KEY)."""
    return cos_client(
        os.environ["TENCENTCLOUD_COS_ENDPOINT"],
        os.environ["TENCENTCLOUD_SECRET_ID"],
        os.environ["TENCENTCLOUD_SECRET_KEY"],
        os.environ["TENCENTCLOUD_REGION"],
    )


def s3_client(
    url: str,
    secret_id: str,
    secret_key: str,
    region: str = REGION,
    addressing: str = "path",
    verify: str | bool | None = None,
    **config,
):
    """boto3's S3 client with SigV4 against COS's S3 face (verify: a CA file for HTTPS)."""
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=secret_id,
        aws_secret_access_key=secret_key,
        verify=verify,
        config=Config(
            signature_version="s3v4", s3={"addressing_style": addressing}, retries={"total_max_attempts": 1}, **config
        ),
    )


def api_profile(url: str) -> ClientProfile:
    scheme, host, port = endpoint_parts(url)
    return ClientProfile(httpProfile=HttpProfile(endpoint=f"{host}:{port}", protocol=scheme))


def cam(url: str, secret_id: str, secret_key: str) -> cam_client.CamClient:
    return cam_client.CamClient(credential.Credential(secret_id, secret_key), "", api_profile(url))


def root_cos(server) -> CosS3Client:
    """COS signed with the account owner's key of a running emulator (anything with `url` and `iam`)."""
    return cos_client(server.url, server.iam.root_secret_id, server.iam.root_secret_key)


def root_cam(server) -> cam_client.CamClient:
    """CAM signed with the account owner's key of a running emulator (anything with `url` and `iam`)."""
    return cam(server.url, server.iam.root_secret_id, server.iam.root_secret_key)


def sts(url: str, secret_id: str, secret_key: str, region: str = REGION) -> sts_client.StsClient:
    return sts_client.StsClient(credential.Credential(secret_id, secret_key), region, api_profile(url))


def sub_user_key(url: str, root: tuple[str, str], policy: dict, name: str = "registry-storage") -> tuple[str, str]:
    """A CAM sub-user with only `policy` attached, and its new API key, made through tencentcloud-sdk-python."""
    client = cam(url, *root)
    add_user = cam_models.AddUserRequest()
    add_user.Name, add_user.ConsoleLogin, add_user.UseApi = name, 0, 0
    uin = client.AddUser(add_user).Uin
    create_policy = cam_models.CreatePolicyRequest()
    create_policy.PolicyName, create_policy.PolicyDocument = name, json.dumps(policy)
    policy_id = client.CreatePolicy(create_policy).PolicyId
    attach = cam_models.AttachUserPolicyRequest()
    attach.PolicyId, attach.AttachUin = policy_id, uin
    client.AttachUserPolicy(attach)
    create_key = cam_models.CreateAccessKeyRequest()
    create_key.TargetUin = uin
    key = client.CreateAccessKey(create_key).AccessKey
    return key.AccessKeyId, key.SecretAccessKey


def cam_role(url: str, root: tuple[str, str], name: str, carrier: dict, policies: list[str]) -> str:
    """A CAM role whose carrier (principal) is `carrier`, with the named policies attached; its ARN."""
    client = cam(url, *root)
    create = cam_models.CreateRoleRequest()
    document = {
        "version": "2.0",
        "statement": [{"action": "name/sts:AssumeRole", "effect": "allow", "principal": carrier}],
    }
    create.RoleName, create.PolicyDocument = name, json.dumps(document)
    client.CreateRole(create)
    for policy in policies:
        attach = cam_models.AttachRolePolicyRequest()
        attach.PolicyName, attach.AttachRoleName = policy, name
        client.AttachRolePolicy(attach)
    get = cam_models.GetRoleRequest()
    get.RoleName = name
    return client.GetRole(get).RoleInfo.RoleArn


def assume_role(url: str, key: tuple[str, str], arn: str, duration: int = 7200, policy: dict | None = None):
    """STS AssumeRole through tencentcloud-sdk-python: the response (Credentials, ExpiredTime, Expiration)."""
    from urllib.parse import quote

    from tencentcloud.sts.v20180813 import models as sts_models

    request = sts_models.AssumeRoleRequest()
    request.RoleArn, request.RoleSessionName, request.DurationSeconds = arn, "tests", duration
    if policy is not None:
        request.Policy = quote(json.dumps(policy), safe="")
    return sts(url, *key).AssumeRole(request)
