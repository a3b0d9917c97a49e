"""A pool of read-only SQLite connections for the API's request threads.

One shared connection serialises every request behind one lock; in WAL mode readers never block each other
nor the writer, so each request borrows a read-only connection (:class:`SQLiteStore` with
``readonly=True``) of its own, opened on first need and kept for the next request.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from veilleur.store.sqlite import SQLiteStore

READERS = 8  # connections at most; a request beyond waits for one to come back


class ReaderPool:
    def __init__(self, path: str, size: int = READERS) -> None:
        if size < 1:
            raise ValueError("a reader pool needs at least one connection")
        self.path = path
        self.size = size
        self._free: queue.LifoQueue[SQLiteStore] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._opened: list[SQLiteStore] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def reader(self) -> Iterator[SQLiteStore]:
        """A read-only store for the length of one request."""
        with self._slots:
            try:
                store = self._free.get_nowait()
            except queue.Empty:
                store = SQLiteStore(self.path, readonly=True)
                with self._lock:
                    self._opened.append(store)
            try:
                yield store
            finally:
                if self._closed:
                    store.close()
                else:
                    self._free.put(store)

    @property
    def opened(self) -> int:
        """How many connections the pool has opened so far."""
        return len(self._opened)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            for store in self._opened:
                store.close()
