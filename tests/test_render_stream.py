"""A whole new site's render pool starts while the plan is still being made and takes its jobs
batch by batch (parallel._Stream): the site, the store's output keys and what the shortcut
remembers are those of a build that renders in-process, and a failure in a worker still fails
the build and leaves no site. (The stream starts at 64 x 8 x jobs outputs; here, lowered.)"""

from __future__ import annotations

import sqlite3

import pytest

from sitegen import parallel, shortcut
from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError
from sitegen.store import Store

from test_incremental import make, tree


def keys(root):
    db = sqlite3.connect(root / ".sitegen/store.sqlite")
    try:
        return sorted(db.execute("SELECT path, key FROM outputs"))
    finally:
        db.close()


@pytest.fixture
def small_stream(monkeypatch):
    started = []
    start = parallel._Stream.start

    def spy(self):
        started.append(1)
        start(self)

    monkeypatch.setattr(parallel, "_STREAM_BATCH", 4)
    monkeypatch.setattr(parallel, "_STREAM_FROM", 2)
    monkeypatch.setattr(parallel._Stream, "start", spy)
    return started


def test_a_streamed_render_gives_the_same_site(tmp_path, small_stream):
    streamed = make(tmp_path / "streamed", 60, seed=5, page_size=3)
    report = build(load_config(streamed), jobs=2, progress=False)
    assert small_stream, "the stream did not start"
    plain = make(tmp_path / "plain", 60, seed=5, page_size=3)
    want = build(load_config(plain), jobs=1, progress=False)
    assert tree(streamed / "_site") == tree(plain / "_site")
    assert (report.rendered, report.written, report.outputs) == (want.rendered, want.written, want.outputs)
    assert keys(streamed) == keys(plain)
    # what the shortcut remembered is the folder as it is: the next build stops at once
    with Store(streamed / ".sitegen") as store:
        saved = shortcut.load(store)
    assert shortcut.site_entries(saved, streamed / "_site") is not None
    again = build(load_config(streamed), jobs=2, progress=False)
    assert "clean" not in again.timings


def test_a_worker_that_fails_fails_the_build(tmp_path, small_stream, monkeypatch):
    root = make(tmp_path / "site", 60, seed=5, page_size=3)
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text("{{ article.title.no_such_method() }}", encoding="utf-8")
    with pytest.raises(BuildError):
        build(load_config(root), jobs=2, progress=False)
    assert small_stream
    assert not (root / "_site").exists()
