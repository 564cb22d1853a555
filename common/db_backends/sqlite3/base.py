"""Django's SQLite backend, with the file's writers taking turns promptly.

SQLite lets one transaction write at a time (every transaction here begins IMMEDIATE, so each
takes the write lock at BEGIN). A second one waits in SQLite's busy handler, which sleeps 1,
2, 5, 10, 15, 20, 25 … ms between tries whatever happened meanwhile: under a steady stream
of short writes from several processes (two web workers serving likes), a writer that keeps
losing waits tens of milliseconds, then hundreds, for a lock that was free most of that time.

Here a transaction first takes its turn on a lock file beside the database (an exclusive
`flock`): a writer whose turn it is not yet sleeps in the kernel, which wakes it the moment
the turn is given back, with the COMMIT or ROLLBACK, or when the connection closes (the kernel
gives it back when a process dies). Then BEGIN IMMEDIATE finds the write lock free.
(Not polling for the turn, as SQLite polls for its lock: however short the sleeps, a writer
that comes straight back for the next transaction can take the turn between two tries.)

The lock file only orders the writers: SQLite's own locking still decides what is safe, so a
folder where no lock file can be made means waiting in SQLite's busy handler as before, never
a write without its lock. Unlike SQLite's `timeout`, the wait for a turn has no end of its own
but the end of the transaction before it: a transaction left open holds up the writers behind
it (the web server's request timeout ends such a request). A thread that already holds a turn
on the file through another connection does not wait for it again (it would wait for itself).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

# The files whose turn each thread holds (through any of its connections).
_HOLDING = threading.local()


def _held_paths() -> set[str]:
    return _HOLDING.__dict__.setdefault("paths", set())


class WriterTurn:
    """One connection's turn at writing to the database file at `path`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.held = False
        self._fd: int | None = None
        self._pid = 0
        self._broken = False

    def _descriptor(self) -> int | None:
        if self._broken:
            return None
        if self._fd is not None and self._pid != os.getpid():
            # A forked child: the parent's descriptor, and the parent's turn, are not its own
            # (a lock taken through a shared descriptor would be the parent's too).
            self._fd = None
            self.held = False
            _held_paths().discard(self.path)
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                logger.warning("no lock file at %s: writers wait in SQLite's own way", self.path)
                self._broken = True
                return None
            self._pid = os.getpid()
        return self._fd

    def take(self) -> bool:
        """Wait for the turn; whether it was taken (not where no lock file could be made, nor
        where this thread already holds the file's turn through another connection)."""
        fd = self._descriptor()
        if fd is None or self.held:
            return self.held
        holding = _held_paths()
        if self.path in holding:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX)  # asleep until the writer before gives it back
        self.held = True
        holding.add(self.path)
        return True

    def give(self) -> None:
        if self.held:
            self.held = False
            _held_paths().discard(self.path)
            if self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.give()
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.writer_turn: WriterTurn | None = None
        if not self.is_in_memory_db():
            self.writer_turn = WriterTurn(f"{self.settings_dict['NAME']}-writers.lock")

    def _start_transaction_under_autocommit(self) -> None:
        if self.writer_turn is not None:
            self.writer_turn.take()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_turn()
            raise

    def _give_turn(self) -> None:
        if self.writer_turn is not None:
            self.writer_turn.give()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._give_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._give_turn()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            if self.writer_turn is not None:
                self.writer_turn.close()
