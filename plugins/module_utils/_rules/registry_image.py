# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which generation of distribution a registry image runs: 2 and 3 read different configurations (forcepathstyle,
redis addrs). Pure: no SDK, no Ansible."""

from __future__ import annotations

import re

from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError

GENERATIONS = ("2", "3")
# What the official image's tags without a version (latest, none) run today.
CURRENT_GENERATION = "3"
TAG_VERSION = re.compile(r"^v?(\d+)")


def image_tag(image: str) -> str:
    """The tag of an image reference, empty when it has none: 'registry:2.8.3' -> '2.8.3'; a digest is no tag, and a
    registry's port ('host:5000/registry') is not one either."""
    name = str(image).split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else ""


def image_generation(image: str, version="") -> str:
    """'2' or '3': `version` when given, else the major version of the image's tag (registry:2.8.3 -> 2), else the
    current generation - a tag without a version (registry, registry:latest, a digest) is today's image."""
    given = "" if version is None else str(version).strip()
    if given:
        if given not in GENERATIONS:
            raise ValidationError(f"registry_distribution_version {given!r} must be 2 or 3.")
        return given
    match = TAG_VERSION.match(image_tag(image))
    if not match:
        return CURRENT_GENERATION
    if match.group(1) not in GENERATIONS:
        raise ValidationError(
            f"Image {image!r} has a tag of major version {match.group(1)}, which is neither distribution 2 nor 3; "
            "set registry_distribution_version to 2 or 3."
        )
    return match.group(1)
