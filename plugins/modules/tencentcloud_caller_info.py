#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tencentcloud_caller_info
short_description: Who the Tencent Cloud credentials belong to, and the account's AppId
version_added: 0.1.0
description:
  - Returns the account, UIN, ARN and identity type of the credentials the task uses (STS C(GetCallerIdentity)), and
    the account's AppId (CAM C(GetUserAppId)), which every COS bucket name ends in.
  - Use it to build bucket names and CAM resources such as C(qcs::cos:<region>:uid/<appid>:<bucket>/*) without asking
    anyone to look the AppId up in the console.
  - Only reads; never changes anything.
author: cosops.registry contributors (@cosops)
options: {}
extends_documentation_fragment:
  - cosops.registry.common
  - cosops.registry.attributes.info_module
notes:
  - Any active key may call C(GetCallerIdentity). C(GetUserAppId) needs C(name/cam:GetUserAppId) for a sub-user;
    without it the module warns and returns RV(app_id) as null instead of failing.
seealso:
  - module: cosops.registry.cam_user_info
  - module: cosops.registry.cos_bucket
"""

EXAMPLES = r"""
- name: Find the account behind the credentials
  cosops.registry.tencentcloud_caller_info:
  register: caller

- name: Name the bucket after the account's AppId
  cosops.registry.cos_bucket:
    name: "registry-{{ caller.app_id }}"
    region: ap-guangzhou

- name: Refuse to run with the root account's key
  ansible.builtin.assert:
    that: caller.uin != caller.account_id
    fail_msg: Use a sub-user's key, not the root account's.
"""

RETURN = r"""
account_id:
  description: UIN of the root account the credentials belong to (C(AccountId)).
  returned: always
  type: str
  sample: "100000000001"
uin:
  description:
    - UIN the key belongs to (C(PrincipalId)) - the root account's for its own key, the sub-user's for a sub-user's key,
      and for temporary credentials of a role the UIN that assumed the role.
  returned: always
  type: str
  sample: "100000000002"
user_id:
  description: The identity as STS reports it (C(UserId)) - a UIN, C(<roleId>:<roleSessionName>) for a role.
  returned: always
  type: str
  sample: "100000000002"
arn:
  description: The caller's ARN.
  returned: always
  type: str
  sample: "qcs::cam::uin/100000000001:uin/100000000002"
type:
  description: The identity type, such as C(CAMUser) or C(CAMRole).
  returned: always
  type: str
  sample: CAMUser
app_id:
  description:
    - The account's AppId, the suffix of every bucket name (C(<name>-<appid>)).
    - Null when the credentials may not call C(cam:GetUserAppId); a warning then names the missing permission.
  returned: always
  type: str
  sample: "1250000000"
"""

from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule

UNAUTHORIZED = "AuthFailure.UnauthorizedOperation"


def account_appid(module: TencentCloudModule) -> str | None:
    """The AppId, or None with a warning when the key may not ask CAM for it."""
    try:
        return module.appid()
    except TencentCloudError as error:
        if error.code != UNAUTHORIZED:
            raise
    module.warn("These credentials may not call cam:GetUserAppId, so app_id is unknown; allow name/cam:GetUserAppId.")
    return None


def run(module: TencentCloudModule) -> dict:
    identity = module.sts.call("GetCallerIdentity")
    return {
        "changed": False,
        "account_id": str(identity["AccountId"]),
        "uin": str(identity["PrincipalId"]),
        "user_id": str(identity["UserId"]),
        "arn": identity["Arn"],
        "type": identity["Type"],
        "app_id": account_appid(module),
    }


def main() -> None:
    module = TencentCloudModule(argument_spec={}, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
