"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test runs this file to put pip into the virtual environments of its
sanity tests. The usual copy comes from a host that may be out of reach, so
this one bootstraps pip from the interpreter's bundled wheel and then lets pip
install what ansible-test asked for from the configured package index.
"""

import ensurepip
import os
import subprocess
import sys

# ansible-test passes these to the real get-pip; plain pip rejects them.
UNSUPPORTED = {"--no-setuptools", "--no-wheel"}
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def main(argv):
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in argv if arg not in UNSUPPORTED]
    # ansible-test clears the environment, so name the CA bundle explicitly.
    if os.path.exists(CA_BUNDLE) and "--cert" not in args:
        args = ["--cert", CA_BUNDLE] + args
    return subprocess.call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
