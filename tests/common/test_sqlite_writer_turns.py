"""The SQLite backend's writers take turns on a lock file (common/db_backends/sqlite3): held
from BEGIN to COMMIT or ROLLBACK, given back on close, reopened by a forked child, and never
what decides safety (without a lock file, SQLite's own locking still orders the writers)."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import User
from common.db_backends.sqlite3.base import WriterTurn

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded defaults' backend (SQLite)"
)


def member(name: str) -> User:
    return User.objects.create(username=name, email=f"{name}@example.com")


def taken_by_someone(path: str) -> bool:
    """Whether another open file description holds the turn at `path`."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_a_turn_is_one_writer_at_a_time(tmp_path):
    path = str(tmp_path / "db.sqlite3-writers.lock")
    first, second = WriterTurn(path), WriterTurn(path)
    assert first.take()
    assert first.take()  # held already: nothing more to wait for
    assert taken_by_someone(path)
    first.give()
    assert not taken_by_someone(path)
    assert second.take()
    assert taken_by_someone(path)
    second.close()
    assert not taken_by_someone(path)
    first.close()


def test_a_thread_holding_the_turn_does_not_wait_for_itself(tmp_path):
    """Two connections of one thread to the same file: the second goes to SQLite's own
    locking (its timeout and error) instead of waiting forever for its own thread."""
    path = str(tmp_path / "db.sqlite3-writers.lock")
    first, second = WriterTurn(path), WriterTurn(path)
    assert first.take()
    assert not second.take()
    first.give()
    assert second.take()
    second.close()
    first.close()


def test_a_waiting_writer_goes_as_soon_as_the_turn_is_given(tmp_path):
    path = str(tmp_path / "db.sqlite3-writers.lock")
    holder, waiter = WriterTurn(path), WriterTurn(path)
    assert holder.take()
    took: list[float] = []

    def wait_for_it() -> None:
        assert waiter.take()
        took.append(time.monotonic())
        waiter.give()

    thread = threading.Thread(target=wait_for_it)
    thread.start()
    time.sleep(0.2)  # SQLite's busy handler would be sleeping 25-100 ms at a time by now
    assert not took
    assert thread.is_alive()
    given = time.monotonic()
    holder.give()
    thread.join(5)
    # The kernel wakes the waiter at once; a loaded machine may add its own delay.
    assert took and took[0] - given < 0.05
    holder.close()
    waiter.close()


def test_without_a_lock_file_the_writer_goes_on(tmp_path, caplog):
    turn = WriterTurn(str(tmp_path / "missing-folder" / "db.sqlite3-writers.lock"))
    assert not turn.take()
    assert "writers wait in SQLite's own way" in caplog.text
    turn.give()
    turn.close()


def test_a_forked_child_takes_its_own_turn(tmp_path):
    path = str(tmp_path / "db.sqlite3-writers.lock")
    turn = WriterTurn(path)
    assert turn.take()
    pid = os.fork()
    if pid == 0:  # the child: the parent's turn is not its own, and it waits for it
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # not the test runner's timeout
        signal.alarm(1)  # still waiting after a second: killed (the parent's assertion)
        turn.take()
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == -signal.SIGALRM  # it waited, never took it
    assert taken_by_someone(path)  # the child's death gave back nothing of the parent's
    turn.close()
    assert not taken_by_someone(path)


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_transaction_holds_the_turn_from_begin_to_commit():
    assert connection.vendor == "sqlite"
    path = connection.writer_turn.path
    assert path.endswith("-writers.lock")
    assert not taken_by_someone(path)
    with transaction.atomic():
        member("writer")
        assert taken_by_someone(path)
        with transaction.atomic():  # a savepoint: the same turn
            member("writer2")
        assert taken_by_someone(path)
    assert not taken_by_someone(path)
    assert User.objects.filter(username__startswith="writer").count() == 2


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_or_closed_transaction_gives_the_turn_back():
    path = connection.writer_turn.path
    with pytest.raises(RuntimeError), transaction.atomic():
        member("undone")
        raise RuntimeError
    assert not taken_by_someone(path)
    assert not User.objects.filter(username="undone").exists()

    atomic = transaction.atomic()
    atomic.__enter__()
    assert taken_by_someone(path)
    member("undone")
    connection.close()  # as a worker does with a connection it gives up on
    assert not taken_by_someone(path)
    atomic.__exit__(None, None, None)  # closed in the transaction: nothing was committed
    assert not User.objects.filter(username="undone").exists()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_another_thread_writes_after_the_first_commits():
    """Two connections (threads) writing: the second waits for the first's commit."""
    path = connection.writer_turn.path
    order: list[str] = []
    inside = threading.Event()

    def other() -> None:
        inside.wait(5)
        with transaction.atomic():
            order.append("second")
            member("second")
        connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    with transaction.atomic():
        member("first")
        inside.set()
        time.sleep(0.1)
        order.append("first")
        assert taken_by_someone(path)
    thread.join(10)
    assert order == ["first", "second"]
    assert set(User.objects.values_list("username", flat=True)) >= {"first", "second"}
