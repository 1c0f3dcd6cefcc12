#!/usr/bin/python
# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: registry_redirect_probe
short_description: A presigned URL of a probe object, for proving that a registry's clients can follow its redirects
version_added: 0.2.0
description:
  - A registry with redirects on answers blob downloads with HTTP 307 to a presigned URL on the bucket's host, so the
    image bytes flow from COS to the client. A client that cannot fetch such a URL fails every pull.
  - With O(state=present), writes a small probe object under C(<rootdirectory>/_storage_check/) with the registry's
    key and returns a presigned GET of it (RV(url)) on the host the registry's redirects name (O(url_endpoint)), and
    the bytes it must return (RV(body)). Fetch RV(url) from the hosts that pull from the registry (for example with
    M(ansible.builtin.uri) delegated to them), then remove the probe with O(state=absent) and O(probe).
  - Presigns with the collection's COS storage driver (C(docs/cos-driver.md)), as the registry's cos driver does; the
    stock s3 driver signs its redirects with AWS Signature V4 for the same host.
  - The probe is fetched where the registry's clients are. The storage check's C(presigned_url) check cannot show
    that, since it fetches its presigned URL from the host the check runs on.
author: cosops.registry contributors (@cosops)
options:
  state:
    description:
      - V(present) writes a probe object and presigns a GET of it; V(absent) removes the probe named by O(probe).
    type: str
    choices: [present, absent]
    default: present
  probe:
    description:
      - The probe to remove, as RV(probe) of O(state=present) returned it. Nothing else is ever removed.
      - Required with O(state=absent).
    type: str
  url_endpoint:
    description:
      - The endpoint the registry's own redirects name, and so the host clients must reach. With distribution's s3
        driver that is its C(redirectendpoint) when set, else its C(regionendpoint); the URL names the bucket's
        virtual host under it, C(<bucket>.<endpoint host>).
      - Defaults to COS's public endpoint of the region, C(https://cos.<region>.myqcloud.com) (C(http://) with
        O(secure=false)), which is where the registry's cos driver points its redirects.
      - The module itself reaches COS at O(endpoint), which may differ (a private endpoint, the emulator).
    type: str
  expires:
    description:
      - Seconds the presigned URL stays valid.
    type: int
    default: 300
extends_documentation_fragment:
  - cosops.registry.registry_storage
  - cosops.registry.common
attributes:
  check_mode:
    description: Writes and removes nothing; O(state=present) then returns no RV(url), only RV(host).
    support: full
  diff_mode:
    description: Has nothing to show as a diff.
    support: none
notes:
  - Not idempotent by design. Every O(state=present) writes a new probe, which O(state=absent) removes; a probe left
    behind by an interrupted run is a few dozen bytes under C(<rootdirectory>/_storage_check/).
  - The registry's key needs C(name/cos:PutObject), C(name/cos:GetObject), C(name/cos:HeadObject) and
    C(name/cos:DeleteObject) under the root directory, which the C(cosops.registry.registry_cam_policy) filter grants.
seealso:
  - module: cosops.registry.registry_storage_check
"""

EXAMPLES = r"""
- name: Prove that the CI runners can follow the registry's redirects
  hosts: registry
  module_defaults:
    cosops.registry.registry_redirect_probe:
      secretid: "{{ registry_cos_secret_id }}"
      secretkey: "{{ registry_cos_secret_key }}"
      region: ap-guangzhou
      bucket: registry-1250000000
      rootdirectory: /registry
  tasks:
    - name: Presign a GET on the host the registry's redirects name
      cosops.registry.registry_redirect_probe:
        url_endpoint: https://cos.ap-guangzhou.myqcloud.com
      register: redirect_probe

    - name: Fetch it from every CI runner, as their pulls will be redirected
      ansible.builtin.uri:
        url: "{{ redirect_probe.url }}"
        return_content: true
      delegate_to: "{{ item }}"
      loop: "{{ groups['ci_runners'] }}"
      register: fetched

    - name: Remove the probe
      cosops.registry.registry_redirect_probe:
        state: absent
        probe: "{{ redirect_probe.probe }}"
"""

RETURN = r"""
probe:
  description: The probe's path under the root directory, for O(state=absent); empty in check mode.
  returned: state is present
  type: str
  sample: /_storage_check/redirect-3f2a9c01d4e5
url:
  description: The presigned GET of the probe; empty in check mode.
  returned: state is present
  type: str
  sample: "https://registry-1250000000.cos.ap-guangzhou.myqcloud.com/registry/_storage_check/redirect-3f2a9c01d4e5?q-sign-algorithm=sha1&..."
host:
  description: The host (and port, when the endpoint names one) in RV(url), which clients must reach.
  returned: state is present
  type: str
  sample: registry-1250000000.cos.ap-guangzhou.myqcloud.com
body:
  description: The probe's content, which a fetch of RV(url) must return; empty in check mode.
  returned: state is present
  type: str
  sample: "cosops.registry redirect probe 6f0c3d1e9a8b4c7d8e2f1a0b9c8d7e6f\n"
expires:
  description: Seconds RV(url) stays valid.
  returned: state is present
  type: int
  sample: 300
"""

from ansible_collections.cosops.registry.plugins.module_utils._registry.redirect_probe import remove_probe, write_probe
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_options import (
    REGISTRY_STORAGE_SPEC,
    storage_driver,
)
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.module import TencentCloudModule


def run(module: TencentCloudModule) -> dict:
    params = module.params
    if params["expires"] < 1:
        raise ValidationError(f"expires {params['expires']} must be at least 1 second.")
    driver = storage_driver(module)
    if params["state"] == "absent":
        return {"changed": remove_probe(driver, params["probe"], module.check_mode)}
    probe = write_probe(driver, params["url_endpoint"], params["expires"], module.check_mode)
    return {
        "changed": True,
        "probe": probe.path,
        "url": probe.url,
        "host": probe.host,
        "body": probe.body,
        "expires": params["expires"],
    }


def main() -> None:
    module = TencentCloudModule(
        argument_spec={
            **REGISTRY_STORAGE_SPEC,
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "probe": {"type": "str"},
            "url_endpoint": {"type": "str"},
            "expires": {"type": "int", "default": 300},
        },
        required_if=[("state", "absent", ["probe"])],
        supports_check_mode=True,
    )
    module.run(run)


if __name__ == "__main__":
    main()
