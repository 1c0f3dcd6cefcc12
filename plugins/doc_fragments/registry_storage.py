# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # A registry's COS storage, with the names of the registry's own storage.cos settings. List it before
    # cosops.registry.common, whose region it describes for this use.
    DOCUMENTATION = r"""
options:
  secretid:
    description:
      - The SecretId the registry uses, as in the registry's C(storage.cos.secretid).
      - Without O(secretid) and O(secretkey), the module uses the keys of the common credential sources, in order
        O(secret_id) (E(TENCENTCLOUD_SECRET_ID)), O(profile), the CVM instance role, with O(assume_role) on top;
        temporary keys are renewed while it runs.
    type: str
  secretkey:
    description:
      - The SecretKey that belongs to O(secretid). Never logged.
      - Defaults to O(secret_key) (and so to E(TENCENTCLOUD_SECRET_KEY)) when O(secretid) is set.
    type: str
  region:
    description:
      - The bucket's region, as in the registry's C(storage.cos.region), for example V(ap-guangzhou).
      - If not set, the value of the E(TENCENTCLOUD_REGION) environment variable is used.
    type: str
  bucket:
    description:
      - The bucket, C(<name>-<appid>), as in the registry's C(storage.cos.bucket).
    type: str
    required: true
  rootdirectory:
    description:
      - The prefix inside the bucket under which the registry keeps its data; empty for the bucket root.
    type: str
    default: ""
  chunksize:
    description:
      - Multipart part size in bytes, between 5242880 (5 MiB) and 104857600 (100 MiB).
    type: int
    default: 16777216
  maxconcurrency:
    description:
      - Most multipart parts in flight at once.
    type: int
    default: 10
  secure:
    description:
      - Use HTTPS. Picks the scheme when O(endpoint) has none.
    type: bool
    default: true
  endpoint:
    description:
      - Where to reach COS instead of the public endpoint, for private endpoints and the bundled emulator.
      - A URL whose host is an IP address is where requests are sent; they keep the bucket's virtual-host name.
      - Defaults to O(cos_endpoint).
    type: str
"""
