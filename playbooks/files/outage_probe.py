"""Measures how long a registry stops answering: outage_probe.py URL STOP_FILE MAX_SECONDS.

Asks URL (the registry's /v2/) every 50 ms until STOP_FILE exists or MAX_SECONDS have passed, and prints JSON with
outage_seconds (the time from each first failed probe to the next answer, summed), failed_probes and probes.
200 and 401 count as answers; anything else, including 503 while storage is unhealthy, does not.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

INTERVAL = 0.05
TIMEOUT = 1


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        return error.code == 401
    except OSError:
        return False


def main(url, stop_file, limit):
    deadline = time.monotonic() + limit
    outage = 0.0
    down_since = None
    probes = failed = 0
    while not os.path.exists(stop_file) and time.monotonic() < deadline:
        started = time.monotonic()
        ok = answers(url)
        probes += 1
        if ok and down_since is not None:
            outage += time.monotonic() - down_since
            down_since = None
        elif not ok:
            failed += 1
            down_since = started if down_since is None else down_since
        time.sleep(INTERVAL)
    if down_since is not None:
        outage += time.monotonic() - down_since
    print(
        json.dumps(
            {
                "outage_seconds": round(outage, 2),
                "failed_probes": failed,
                "probes": probes,
                "still_down": down_since is not None,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
