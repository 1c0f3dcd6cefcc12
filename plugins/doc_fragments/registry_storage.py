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
      - If not set, E(REGISTRY_STORAGE_COS_SECRETID) with E(REGISTRY_STORAGE_COS_SECRETKEY), the registry's
        environment form, when both are set.
      - Without either, the module uses the keys of the common credential sources, in order O(secret_id)
        (E(TENCENTCLOUD_SECRET_ID)), O(profile), the CVM instance role, with O(assume_role) on top; temporary keys are
        renewed while it runs.
    type: str
  secretkey:
    description:
      - The SecretKey that belongs to O(secretid). Never logged, nor is E(REGISTRY_STORAGE_COS_SECRETKEY).
      - Defaults to O(secret_key) (and so to E(TENCENTCLOUD_SECRET_KEY)) when O(secretid) is set.
      - The key pair is taken whole from one place, never one key from the options and the other from the
        environment.
    type: str
  region:
    description:
      - The bucket's region, as in the registry's C(storage.cos.region), for example V(ap-guangzhou).
      - If not set, E(REGISTRY_STORAGE_COS_REGION), else E(TENCENTCLOUD_REGION).
    type: str
  bucket:
    description:
      - The bucket, C(<name>-<appid>), as in the registry's C(storage.cos.bucket).
      - If not set, E(REGISTRY_STORAGE_COS_BUCKET); one of them is required.
    type: str
  rootdirectory:
    description:
      - The prefix inside the bucket under which the registry keeps its data.
      - If not set, E(REGISTRY_STORAGE_COS_ROOTDIRECTORY), else the bucket root.
    type: str
  chunksize:
    description:
      - Multipart part size in bytes, between 5242880 (5 MiB) and 104857600 (100 MiB).
      - If not set, E(REGISTRY_STORAGE_COS_CHUNKSIZE), else 16777216 (16 MiB).
    type: int
  maxconcurrency:
    description:
      - Most multipart parts in flight at once.
      - If not set, E(REGISTRY_STORAGE_COS_MAXCONCURRENCY), else 10.
    type: int
  secure:
    description:
      - Use HTTPS. Picks the scheme when O(endpoint) has none.
      - If not set, E(REGISTRY_STORAGE_COS_SECURE), else V(true).
    type: bool
  endpoint:
    description:
      - Where to reach COS instead of the public endpoint, for private endpoints and the bundled emulator.
      - A URL whose host is an IP address is where requests are sent; they keep the bucket's virtual-host name.
      - If not set, E(REGISTRY_STORAGE_COS_ENDPOINT), else O(cos_endpoint) (E(TENCENTCLOUD_COS_ENDPOINT)).
    type: str
notes:
  - On a host whose registry is configured by the environment (E(REGISTRY_STORAGE=cos) and
    E(REGISTRY_STORAGE_COS_<KEY>) variables, as distribution reads them), the module reads the same variables from its
    own environment, that of the host's login or of the task's C(environment) keyword, for every option the task
    leaves unset; an option the task sets wins. Empty values count as unset. A variable refused by its rule, a
    E(REGISTRY_STORAGE_COS_*) name that is no setting, only one key of the pair, or these variables beside a
    E(REGISTRY_STORAGE) naming another driver fail the task before any request, naming the variable.
  - A value given in the task's C(environment) keyword is written into the command that starts the module, so it
    shows in the process list of the host while the module runs and in C(-vvv) output; see C(docs/credentials.md).
"""
