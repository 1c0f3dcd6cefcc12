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
requirements:
  - cos-python-sdk-v5 (COS operations)
  - tencentcloud-sdk-python-common (CAM and STS operations)
"""
