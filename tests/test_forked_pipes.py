"""Forked helpers of one build (shortcut.Forked: the sources' stat, the output folder's check, the
sources' scan) do not hold each other's pipes: a helper whose answer is not wanted is closed and
waited for while a later one still runs (a cold build after a change of settings: the stat's
answer is for other settings, the scan runs meanwhile). With the later one holding the first's
read end, the first blocked forever on its write and the build hung."""

from __future__ import annotations

import signal

import pytest

from sitegen import shortcut

BIG = ["x" * 40] * 20000  # ~1 MB marshalled: more than a pipe holds, so the writer blocks


@pytest.fixture
def deadline():
    def hung(signum, frame):
        raise TimeoutError("hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_helper_closed_while_a_later_one_runs(deadline):
    first = shortcut.Forked(lambda: BIG)
    later = shortcut.Forked(lambda: BIG + ["later"])
    assert first.forked and later.forked
    first.close()  # (its answer is not wanted: it must see the pipe closed and end)
    assert later.result()[-1] == "later"


def test_a_paused_helper_never_started_ends_while_a_later_one_runs(deadline):
    paused = shortcut.Forked(lambda: BIG, paused=True)
    later = shortcut.Forked(lambda: BIG + ["later"])
    paused.close()
    assert later.result()[-1] == "later"


def test_helpers_answer_in_any_order(deadline):
    before = set(shortcut._PARENT_FDS)
    a = shortcut.Forked(lambda: BIG + ["a"], paused=True)
    b = shortcut.Forked(lambda: BIG + ["b"])
    c = shortcut.Forked(lambda: BIG + ["c"])
    assert c.result()[-1] == "c"
    a.start()
    assert b.result()[-1] == "b" and a.result()[-1] == "a"
    assert shortcut._PARENT_FDS == before
