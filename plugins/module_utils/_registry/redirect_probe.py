# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What registry_redirect_probe does: a small object under the registry's root directory and a presigned GET of it,
signed for the host the registry's redirects name, for the registry's clients to fetch without credentials; then the
object's removal.

A registry with redirects on answers a blob GET with 307 to such a URL, so a client that can fetch this one can follow
the registry's redirects. No Ansible here: the module parses its options and shapes the result.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from urllib.parse import urlsplit

from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, PathNotFoundError
from ansible_collections.cosops.registry.plugins.module_utils._registry.storage_check import PROBE_DIRECTORY
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.client import CosApi

# Probes live beside the storage check's, and removal is refused for any other path.
PROBE = re.compile(rf"^{re.escape(PROBE_DIRECTORY)}/redirect-[0-9a-f]{{12}}$")
PROBE_RULE = f"a path {PROBE_DIRECTORY}/redirect-<12 hex digits>, as state=present returns it"


@dataclasses.dataclass(frozen=True)
class Probe:
    path: str
    body: str
    url: str
    host: str


def url_driver(driver: CosDriver, url_endpoint: str | None) -> CosDriver:
    """The same bucket, root directory and key, presigning for `url_endpoint` (the endpoint the registry's redirects
    name) instead of the endpoint the module reaches COS by. Presigning sends nothing."""
    config = dataclasses.replace(driver.config, endpoint=url_endpoint)
    connection = driver.api.connection.moved(config.region, config.endpoint_url())
    return CosDriver(config, CosApi(connection, config.region))


def presigned_get(driver: CosDriver, url_endpoint: str | None, path: str, expires: int) -> tuple[str, str]:
    """(url, host): a presigned GET of `path` on the host the registry's redirects name."""
    url = url_driver(driver, url_endpoint).url_for(path, expiry=expires)
    return url, urlsplit(url).netloc


def write_probe(driver: CosDriver, url_endpoint: str | None, expires: int, check_mode: bool) -> Probe:
    """The probe object (not written in check mode) and a presigned GET of it."""
    path = f"{PROBE_DIRECTORY}/redirect-{uuid.uuid4().hex[:12]}"
    body = f"cosops.registry redirect probe {uuid.uuid4().hex}\n"
    url, host = presigned_get(driver, url_endpoint, path, expires)
    if check_mode:
        return Probe("", "", "", host)
    driver.put_content(path, body.encode())
    return Probe(path, body, url, host)


def remove_probe(driver: CosDriver, path: str, check_mode: bool) -> bool:
    """Whether a probe was there to remove; refuses any path that is not a probe's."""
    if not PROBE.match(path or ""):
        raise ValidationError(f"probe {path!r} must be {PROBE_RULE}.")
    try:
        driver.stat(path)
    except PathNotFoundError:
        return False
    if not check_mode:
        driver.delete(path)
    return True
