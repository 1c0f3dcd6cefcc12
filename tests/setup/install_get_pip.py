"""Put the offline get-pip stand-in where ansible-test looks for its cached copy."""

import os
import re
import shutil
import sys

import ansible_test


def bootstrap_pip_version():
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit(f"cannot find the pip version ansible-test bootstraps in {source}")
    return match.group(1)


def main():
    version = bootstrap_pip_version()
    target = os.path.expanduser(f"~/.ansible/test/cache/get_pip_{version.replace('.', '_')}.py")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(os.path.join(os.path.dirname(__file__), "get_pip.py"), target)
    print(f"ansible-test pip bootstrap: {target}")


if __name__ == "__main__":
    main()
