"""Backoff: bounded in attempts and time, jittered, and only for what may be retried."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.errors import TencentCloudError
from ansible_collections.cosops.registry.plugins.module_utils._tencentcloud.retries import (
    backoff_delays,
    call_with_retries,
    create_unique,
)


def transient(processed=True):
    return TencentCloudError("PutObject", "SlowDown", "slow down", retryable=True, processed=processed)


def permanent():
    return TencentCloudError("PutObject", "AccessDenied", "denied", status=403)


class Flaky:
    """Fails with the given errors in turn, then returns 'ok'."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_transient_failures_are_retried_until_success():
    call, slept = Flaky(transient(), transient(), transient()), []
    assert call_with_retries(call, retries=5, sleep=slept.append) == "ok"
    assert call.calls == 4
    assert len(slept) == 3


def test_client_errors_are_never_retried():
    call = Flaky(permanent())
    with pytest.raises(TencentCloudError) as raised:
        call_with_retries(call, retries=5, sleep=lambda seconds: None)
    assert raised.value.code == "AccessDenied"
    assert call.calls == 1


def test_retries_stop_at_the_configured_count():
    call = Flaky(*[transient() for attempt in range(10)])
    with pytest.raises(TencentCloudError):
        call_with_retries(call, retries=2, sleep=lambda seconds: None)
    assert call.calls == 3


def test_non_idempotent_calls_retry_only_failures_that_prove_nothing_happened():
    maybe_done = Flaky(transient(processed=True))
    with pytest.raises(TencentCloudError):
        call_with_retries(maybe_done, retries=5, idempotent=False, sleep=lambda seconds: None)
    assert maybe_done.calls == 1

    throttled = Flaky(transient(processed=False))
    assert call_with_retries(throttled, retries=5, idempotent=False, sleep=lambda seconds: None) == "ok"


def test_delays_are_jittered_below_a_doubling_ceiling():
    ceilings = list(backoff_delays(5, base=0.5, cap=8.0, rand=lambda: 1.0))
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert list(backoff_delays(3, rand=lambda: 0.0)) == [0.0, 0.0, 0.0]


def test_total_wait_is_bounded_whatever_the_retry_count():
    delays = list(backoff_delays(1000, base=0.5, cap=8.0, budget=60.0, rand=lambda: 1.0))
    assert sum(delays) <= 60.0
    assert len(delays) < 1000


class Store:
    """A named resource that a create may make even when its answer is lost."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)  # per create call: "ok", "lost" (made, answer lost) or "failed" (not made)
        self.made = 0

    def create(self):
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome in ("ok", "lost"):
            self.made += 1
        if outcome == "ok":
            return "resource"
        raise TencentCloudError("AddUser", "InternalError", "boom", retryable=True)

    def find(self):
        return "resource" if self.made else None


def test_create_unique_tries_again_when_nothing_was_made():
    store = Store("failed", "failed", "ok")
    assert create_unique(store.create, store.find, retries=5, sleep=lambda seconds: None) == "resource"
    assert store.made == 1


def test_create_unique_finds_what_a_lost_answer_made_instead_of_making_two():
    store = Store("lost")
    assert create_unique(store.create, store.find, retries=5, sleep=lambda seconds: None) == "resource"
    assert store.made == 1


def test_create_unique_gives_up_after_the_retries():
    store = Store("failed", "failed", "failed")
    with pytest.raises(TencentCloudError):
        create_unique(store.create, store.find, retries=2, sleep=lambda seconds: None)
    assert store.made == 0


def test_create_unique_never_retries_a_wrong_request():
    def refused():
        raise permanent()

    with pytest.raises(TencentCloudError, match="AccessDenied"):
        create_unique(refused, lambda: None, retries=5, sleep=lambda seconds: None)
