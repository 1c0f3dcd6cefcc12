"""CAM roles and their temporary keys for the credential tests, made with tencentcloud-sdk-python.

python cam_roles.py create NAME root|cvm POLICY...   prints the role's ARN
python cam_roles.py assume ARN                       prints the temporary keys (JSON)
python cam_roles.py delete NAME...
python cam_roles.py owner                            prints the account's owner uin
The root key and the API endpoint come from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_API_ENDPOINT.
"""

from __future__ import annotations

import argparse
import json
import os

from tencentcloud.cam.v20190116 import models as cam_models

from emulator import clients

CARRIERS = {"root": {"qcs": ["qcs::cam::uin/{owner}:root"]}, "cvm": {"service": ["cvm.qcloud.com"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["create", "assume", "delete", "owner"])
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    url = os.environ["TENCENTCLOUD_API_ENDPOINT"]
    root = (os.environ["TENCENTCLOUD_SECRET_ID"], os.environ["TENCENTCLOUD_SECRET_KEY"])
    owner = clients.cam(url, *root).call_json("GetUserAppId", {})["Response"]["OwnerUin"]
    if args.action == "owner":
        print(owner)
    elif args.action == "create":
        name, carrier, *policies = args.names
        principal = json.loads(json.dumps(CARRIERS[carrier]).replace("{owner}", str(owner)))
        print(clients.cam_role(url, root, name, principal, policies))
    elif args.action == "assume":
        keys = clients.assume_role(url, root, args.names[0]).Credentials
        print(json.dumps({"secret_id": keys.TmpSecretId, "secret_key": keys.TmpSecretKey, "token": keys.Token}))
    else:
        for name in args.names:
            request = cam_models.DeleteRoleRequest()
            request.RoleName = name
            clients.cam(url, *root).DeleteRole(request)


if __name__ == "__main__":
    main()
