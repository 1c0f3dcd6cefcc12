# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What distribution v3's `registry garbage-collect` printed, read back (registry/storage/garbagecollect.go and
vacuum.go): its summary line, what was eligible for deletion and what was deleted. Pure: no SDK, no Ansible.

Its marks and eligibilities go to stdout (fmt.Printf); what it deletes is logged on stderr.
"""

from __future__ import annotations

import re

SUMMARY = re.compile(r"(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion")
ELIGIBLE_BLOB = re.compile(r"^blob eligible for deletion: (\S+)$", re.M)
# The queued manifest is printed as a Go struct: {repository digest [tags]}.
ELIGIBLE_MANIFEST = re.compile(r"^manifest eligible for deletion: \{(\S+) (\S+) \[[^\]]*\]\}$", re.M)
ELIGIBLE_LAYER_LINK = re.compile(r"^(\S+): layer link eligible for deletion: (\S+)$", re.M)
DELETED_BLOB = re.compile(r"Deleting blob: ")
DELETED_MANIFEST = re.compile(r"deleting manifest: ")


def stock_gc_output(stdout: str, stderr: str = "") -> dict:
    """The figures of one run: the summary line and its counts (None when it did not get that far), the digests of
    blobs, manifests (repository@digest) and layer links (repository@digest) eligible for deletion, counts of what was
    deleted, and the last line printed (what a failed run died of)."""
    stdout, stderr = stdout or "", stderr or ""
    summary = SUMMARY.search(stdout)
    lines = (stderr + "\n" + stdout).strip().splitlines()
    return {
        "summary": summary.group(0) if summary else "",
        "marked": int(summary.group(1)) if summary else None,
        "eligible_blobs": sorted(ELIGIBLE_BLOB.findall(stdout)),
        "eligible_manifests": sorted(f"{name}@{digest}" for name, digest in ELIGIBLE_MANIFEST.findall(stdout)),
        "eligible_layer_links": sorted(f"{name}@{digest}" for name, digest in ELIGIBLE_LAYER_LINK.findall(stdout)),
        "deleted_blobs": len(DELETED_BLOB.findall(stderr + stdout)),
        "deleted_manifests": len(DELETED_MANIFEST.findall(stderr + stdout)),
        "last_line": lines[-1].strip() if lines else "",
    }
