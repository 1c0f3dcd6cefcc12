# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The streaming FileWriter: multipart parts of exactly chunksize, at most maxconcurrency of them in flight.

Memory stays near chunksize x (maxconcurrency + 1) whatever the object size: one buffer being filled plus the parts
being sent. Close keeps the upload so a later writer(append=True) resumes it; commit completes it; cancel aborts it.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from ansible_collections.cosops.registry.plugins.module_utils._driver.multipart import MultipartUploads, Part
from ansible_collections.cosops.registry.plugins.module_utils._rules.storage_paths import StorageDriverError

OPEN, CLOSED, COMMITTED, CANCELLED, FAILED = "open", "closed", "committed", "cancelled", "failed"


class FileWriter:
    def __init__(self, store, path: str, key: str, upload_id: str | None = None, parts: list[Part] | None = None):
        """`store` is the driver: it gives the multipart calls, put/get/delete of whole objects and the settings."""
        self.path = path
        self._store = store
        self._uploads: MultipartUploads = store.uploads
        self._key = key
        self._chunk_size = store.config.chunksize
        self._concurrency = store.config.maxconcurrency
        self._upload_id = upload_id
        self._parts = {part.number: part for part in parts or ()}
        self._next_number = max(self._parts, default=0) + 1
        self._size = sum(part.size for part in self._parts.values())
        # A resumed upload whose last part is short must be re-cut before more parts follow it.
        self._needs_restitch = bool(self._parts) and self._parts[max(self._parts)].size < self._chunk_size
        self._restitched = False
        self._pieces: list = []
        self._buffered = 0
        self._slots = threading.BoundedSemaphore(self._concurrency)
        self._lock = threading.Lock()
        self._in_flight: set[Future] = set()
        self._failure: BaseException | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._state = OPEN

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self._state == OPEN:
            if exc_info[0] is None:
                self.close()
            else:
                self.cancel()
        return False

    def size(self) -> int:
        """Bytes written so far, including any resumed upload: the object's size once committed."""
        return self._size

    def write(self, data) -> int:
        self._require_open()
        view = memoryview(data).cast("B")
        written = view.nbytes
        if written and self._needs_restitch:
            self._guard(self._restitch)
        # bytes cannot change under us, so they are kept as given and copied once, into the part; any other buffer
        # may be reused by the caller, so its bytes are copied now.
        immutable = isinstance(data, bytes)
        offset = 0
        while offset < written:
            take = min(written - offset, self._chunk_size - self._buffered)
            if immutable and take == written:
                self._pieces.append(data)
            else:
                piece = view[offset : offset + take]
                self._pieces.append(piece if immutable else piece.tobytes())
            self._buffered += take
            offset += take
            if self._buffered == self._chunk_size:
                self._guard(self._send_buffer)
        self._size += written
        return written

    def close(self) -> None:
        """Send what is buffered and keep the upload open, so writer(path, append=True) can continue it."""
        if self._state == CLOSED:
            raise StorageDriverError("already closed", self.path)
        if self._state == OPEN:
            self._end(self._persist_for_resume)
        self._state = CLOSED

    def commit(self) -> None:
        self._require_open()
        self._end(self._finish)
        self._state = COMMITTED

    def cancel(self) -> None:
        self._require_open()
        self._state = CANCELLED
        self._drain(raise_failure=False)
        self._shutdown()
        self._discard()

    def _end(self, last_step) -> None:
        """Run the upload's last step; the part workers stop whether it succeeds or not."""
        try:
            self._guard(last_step)
        finally:
            self._shutdown()

    def _require_open(self) -> None:
        if self._state != OPEN:
            raise StorageDriverError(f"writer already {self._state}", self.path)

    def _guard(self, step) -> None:
        """Run a step; on failure abort the upload so nothing incomplete is left behind, and re-raise."""
        try:
            step()
        except BaseException:
            self._state = FAILED
            self._drain(raise_failure=False)
            self._shutdown()
            self._discard()
            raise

    def _discard(self) -> None:
        if self._upload_id is not None:
            self._uploads.abort(self._key, self._upload_id)
            self._upload_id = None
        if self._restitched:
            self._store.delete_key(self._key)

    def _persist_for_resume(self) -> None:
        self._ensure_upload()
        if self._buffered:
            self._send_buffer()
        self._drain()

    def _finish(self) -> None:
        self._drain()
        if not self._parts:
            # Nothing was sent as a part: one PUT stores the object, and an empty upload has no use.
            self._store.put_key(self._key, self._take_buffer())
            if self._upload_id is not None:
                self._uploads.abort(self._key, self._upload_id)
                self._upload_id = None
            return
        if self._buffered:
            self._send_buffer()
            self._drain()
        self._uploads.complete(self._key, self._upload_id, self._parts.values())
        self._upload_id = None

    def _ensure_upload(self) -> None:
        if self._upload_id is None:
            self._upload_id = self._uploads.create(self._key)

    def _take_buffer(self) -> bytes:
        body = b"".join(self._pieces)
        self._pieces, self._buffered = [], 0
        return body

    def _send_buffer(self) -> None:
        self._ensure_upload()
        self._raise_failure()
        # Wait for a free slot before copying the buffer, so at most maxconcurrency parts exist besides it.
        self._slots.acquire()
        try:
            self._raise_failure()
            number, body = self._next_number, self._take_buffer()
            self._next_number += 1
            future = self._pool().submit(self._uploads.upload_part, self._key, self._upload_id, number, body)
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            self._in_flight.add(future)
        future.add_done_callback(self._part_done)

    def _part_done(self, future: Future) -> None:
        with self._lock:
            self._in_flight.discard(future)
            error = future.exception()
            if error is not None:
                self._failure = self._failure or error
            else:
                part = future.result()
                self._parts[part.number] = part
        self._slots.release()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _drain(self, raise_failure: bool = True) -> None:
        with self._lock:
            pending = list(self._in_flight)
        wait(pending)
        if raise_failure:
            self._raise_failure()

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="cos-part")
        return self._executor

    def _shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._pieces, self._buffered = [], 0

    def _restitch(self) -> None:
        """Re-cut a resumed upload whose last part is short: complete it, start a new upload and copy the object
        back in whole chunks (server-side), keeping the short tail in the buffer to be followed by new data."""
        self._uploads.complete(self._key, self._upload_id, self._parts.values())
        self._upload_id = None
        self._restitched = True
        self._parts = {}
        self._next_number = 1
        size = self._size
        whole = size // self._chunk_size
        if whole:
            self._ensure_upload()
            ranges = [(number, (number - 1) * self._chunk_size) for number in range(1, whole + 1)]
            copies = [
                self._pool().submit(
                    self._uploads.copy_part,
                    self._key,
                    self._upload_id,
                    number,
                    self._key,
                    first,
                    first + self._chunk_size - 1,
                )
                for number, first in ranges
            ]
            for copy in copies:
                part = copy.result()
                self._parts[part.number] = part
            self._next_number = whole + 1
        tail = self._store.get_range(self._key, whole * self._chunk_size)
        self._pieces, self._buffered = [tail], len(tail)
        self._needs_restitch = False
