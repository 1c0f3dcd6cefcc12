# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jittered exponential backoff, bounded in attempts and in time, for transient failures only."""

from __future__ import annotations

import random
import time

from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError

BASE_DELAY = 0.5
MAX_DELAY = 8.0
# No call waits longer than this in total between its attempts, whatever `retries` says.
MAX_TOTAL_WAIT = 60.0


def backoff_delays(retries: int, base: float = BASE_DELAY, cap: float = MAX_DELAY, budget: float = MAX_TOTAL_WAIT, rand=random.random):
    """The waits before each retry: full jitter over a doubling ceiling, stopping when the budget is spent."""
    spent = 0.0
    for attempt in range(retries):
        delay = rand() * min(cap, base * (2 ** attempt))
        if spent + delay > budget:
            return
        spent += delay
        yield delay


def should_retry(error: TencentCloudError, idempotent: bool) -> bool:
    """Retry transient failures; a call that creates something is repeated only when the server surely did nothing."""
    return error.retryable and (idempotent or not error.processed)


def call_with_retries(call, retries: int, idempotent: bool = True, sleep=time.sleep, delays=None):
    """Run call(), which raises TencentCloudError, retrying what should_retry allows."""
    waits = iter(delays if delays is not None else backoff_delays(retries))
    while True:
        try:
            return call()
        except TencentCloudError as error:
            if not should_retry(error, idempotent):
                raise
            delay = next(waits, None)
            if delay is None:
                raise
            sleep(delay)


def create_unique(create, find, retries: int, sleep=time.sleep, delays=None):
    """Create a resource whose name is unique, surviving transient failures without making two.

    create() makes it and returns it (raising TencentCloudError); find() returns it, or None when there is none to
    use. After a transient failure the server may or may not have acted, so look before trying again: the name makes
    that look-up exact. A resource that cannot be used when found (an access key, whose secret only the create's
    answer carries) is removed by find() instead, which then returns None.
    """
    waits = iter(delays if delays is not None else backoff_delays(retries))
    while True:
        try:
            return create()
        except TencentCloudError as error:
            if not error.retryable:
                raise
            found = find()
            if found is not None:
                return found
            delay = next(waits, None)
            if delay is None:
                raise
            sleep(delay)
