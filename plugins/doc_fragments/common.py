# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  secret_id:
    description:
      - Tencent Cloud API SecretId.
      - If not set, the value of the E(TENCENTCLOUD_SECRET_ID) environment variable is used.
      - Credentials are looked for in this order, as amazon.aws does; the first source that has keys is used
        (C(docs/credentials.md)). 1. O(secret_id) and O(secret_key) (with O(security_token) for temporary keys).
        2. E(TENCENTCLOUD_SECRET_ID), E(TENCENTCLOUD_SECRET_KEY) and E(TENCENTCLOUD_SECURITY_TOKEN).
        3. O(profile), else a C(default) profile when one exists. 4. The CAM role of the CVM instance the module runs
        on, from the metadata service. Then O(assume_role), if set, is applied on top of the keys found.
    type: str
  secret_key:
    description:
      - Tencent Cloud API SecretKey that belongs to O(secret_id). Never logged.
      - If not set, the value of the E(TENCENTCLOUD_SECRET_KEY) environment variable is used.
    type: str
  security_token:
    description:
      - Token of temporary credentials (STS), used together with O(secret_id) and O(secret_key).
      - If not set, the value of the E(TENCENTCLOUD_SECURITY_TOKEN) environment variable is used.
    type: str
  profile:
    description:
      - A named profile, used when neither the options nor the environment give a SecretId and SecretKey.
      - Looked up as a section of tencentcloud-sdk-python's profile file (C(~/.tencentcloud/credentials), else
        C(/etc/tencentcloud/credentials); keys C(secret_id), C(secret_key), optional C(token), C(role_arn) and
        C(role_session_name)), then as tccli's C(~/.tccli/<profile>.credential) (C(secretId), C(secretKey), optional
        C(token), C(role-arn), C(role-session-name); C(type) V(cvm-role) means the CVM instance role).
      - A profile's role ARN is assumed as O(assume_role) would be, unless O(assume_role) is set.
      - If not set, the value of the E(TENCENTCLOUD_PROFILE) environment variable is used, else the C(default) profile
        when it exists.
    type: str
  assume_role:
    description:
      - Call STS AssumeRole with the credentials found (options, environment, profile or CVM role) and use the role's
        temporary keys instead. They are renewed five minutes before they expire.
    type: dict
    suboptions:
      role_arn:
        description:
          - The role, as C(qcs::cam::uin/<owner uin>:roleName/<name>) or C(qcs::cam::uin/<owner uin>:role/<role id>).
        type: str
        required: true
      session_name:
        description:
          - The session name (2 to 128 letters, digits or C(_+=,.@-)), which CloudAudit records.
        type: str
        default: cosops-registry
      duration:
        description:
          - Seconds the temporary keys live, 1 to 43200, and at most the role's own session limit.
        type: int
        default: 7200
      policy:
        description:
          - A CAM policy document (a dict or JSON) that narrows what the keys may do to what both it and the role's
            policies allow. It cannot grant more than the role has.
        type: json
  region:
    description:
      - Tencent Cloud region, for example V(ap-guangzhou).
      - If not set, the value of the E(TENCENTCLOUD_REGION) environment variable is used.
    type: str
  cos_endpoint:
    description:
      - Override for the COS endpoint, for private endpoints and the bundled emulator.
      - A URL whose host is an IP address, such as V(http://127.0.0.1:9400), is where requests are sent; they keep
        the virtual-host name C(<bucket>.cos.<region>.myqcloud.com).
      - Any other host, such as V(cos-internal.ap-guangzhou.tencentcos.cn), is the domain the bucket name is prefixed to.
      - If not set, the value of the E(TENCENTCLOUD_COS_ENDPOINT) environment variable is used, else the public endpoint.
    type: str
  api_endpoint:
    description:
      - Override for the Tencent Cloud API v3 endpoint used for CAM and STS, as a host or URL.
      - V({service}) in the value stands for the service name, for example V(https://{service}.internal.tencentcloudapi.com).
      - If not set, the value of the E(TENCENTCLOUD_API_ENDPOINT) environment variable is used, else
        C(<service>.tencentcloudapi.com).
    type: str
  validate_certs:
    description:
      - Whether to verify TLS certificates of the endpoints.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each request.
    type: int
    default: 30
  retries:
    description:
      - How many times to retry a request that failed for a transient reason (throttling such as C(SlowDown) or
        C(RequestLimitExceeded), C(InternalError), C(ServiceUnavailable), dropped connections, timeouts).
      - Retries back off exponentially with jitter and wait at most 60 seconds in total per request.
      - Errors that mean the request was wrong (most 4xx) are never retried.
    type: int
    default: 5
notes:
  - Errors are reported as the action, Tencent Cloud's error code and message, and the RequestId.
  - Temporary keys are sent with their token, to COS as C(x-cos-security-token) and to CAM and STS as C(X-TC-Token).
    Keys refused for an expired or missing token fail with that said and what to do.
requirements:
  - cos-python-sdk-v5 (COS operations)
  - tencentcloud-sdk-python-common (CAM and STS operations, and every credential source)
"""
