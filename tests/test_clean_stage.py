"""The clean stage's own work around the cleaner: reading a source, decoding it, the rows stored."""

from __future__ import annotations

import os

import pytest

from sitegen import parallel
from sitegen.decode import decode


def _old_read(path, limit):
    with open(path, "rb") as fh:
        return fh.read(limit + 1)


@pytest.mark.parametrize("size", [0, 1, 100, 1023, 1024, 1025, 4096, 70_000, 200_000])
@pytest.mark.parametrize("limit", [1024, 4096, 100_000])
def test_read_source_is_a_read_of_limit_plus_one(tmp_path, size, limit):
    p = tmp_path / "page.html"
    p.write_bytes(bytes(range(256)) * (size // 256) + bytes(range(size % 256)))
    assert parallel.read_source(str(p), limit) == _old_read(p, limit)


@pytest.mark.parametrize("told", [0, 10, 4095, 5000, 10_000_000])
def test_read_source_does_not_trust_the_size_fstat_tells(tmp_path, monkeypatch, told):
    """A file that grew or shrank between the stat and the read, or whose size is not known
    (``st_size`` 0): what is read is what the file holds, up to the limit plus one byte."""
    p = tmp_path / "page.html"
    data = os.urandom(5000) + b"x" * 200_000
    p.write_bytes(data)
    real = os.fstat

    class _St:
        def __init__(self, st):
            self.st_size = told

    monkeypatch.setattr(parallel.os, "fstat", lambda fd: _St(real(fd)))
    for limit in (1024, 5000, 150_000, 10_000_000):
        assert parallel.read_source(str(p), limit) == _old_read(p, limit)


def test_read_source_errors_are_those_of_open(tmp_path):
    with pytest.raises(FileNotFoundError) as missing:
        parallel.read_source(str(tmp_path / "nope.html"), 100)
    assert missing.value.strerror == "No such file or directory"
    with pytest.raises(IsADirectoryError) as folder:
        parallel.read_source(str(tmp_path), 100)
    assert folder.value.strerror == "Is a directory"


@pytest.mark.parametrize("data", [
    "中\x00文<p>x</p>".encode(), b"ascii \x00 page", b"\x00" * 3 + "<p>中文</p>".encode(),
    "a\ufeff中\x00".encode(), "<p>中文</p>".encode(), b"<p>plain</p>",
])
def test_decode_never_leaves_a_nul(data):
    """The UTF-8 and ASCII paths take NUL bytes out before decoding, so their text is not
    searched again (``decode._finish``): no NUL is left, and the warning says they went."""
    dec = decode(data)
    assert "\x00" not in dec.text
    assert dec.text == data.replace(b"\x00", b"").decode("utf-8").replace("\ufeff", "")
    assert ("NUL bytes removed" in dec.warnings) == (b"\x00" in data)
    if dec.utf8 is not None:
        assert dec.utf8.decode("utf-8") == dec.text


def _rows(root):
    import sqlite3

    db = sqlite3.connect(root / ".sitegen" / "store.sqlite")
    try:  # (in rowid order: the order the rows were written in)
        # (all but the stamp: each pass writes the files again)
        return ([r[:4] + r[5:] for r in db.execute("SELECT * FROM results ORDER BY rowid")],
                db.execute("SELECT * FROM bodies ORDER BY rowid").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_chunk_read_ahead_stores_what_one_page_at_a_time_stores(tmp_path, monkeypatch, jobs):
    """``_clean_chunk`` reads a group of sources, cleans them, then makes their rows: the store
    holds the same rows, written in the same order, as when each group is one page (pages too
    large, binary ones, touched and edited ones among them)."""
    import shutil

    from conftest import bump_mtime, make_site
    from sitegen.build import build
    from sitegen.config import load_config

    text = "这是一段足够长的中文正文，用来构成文章的主体内容，记者从现场发回报道，相关部门已经作出回应。"
    pages = {f"a/{i:02}.html": f"<html><head><title>文章{i}</title></head><body><article><h1>文章{i}</h1>"
             f"<p>{text}{i}</p><p>{text}</p><p><a href='https://x.example/{i}'>链接</a></p></article></body></html>"
             for i in range(40)}
    pages["a/05.html"] = "<p>" + "长" * 3000 + "</p>"  # over max_page_bytes
    pages["notes/1.md"] = f"---\ntitle: 笔记\ndate: 2024-01-01\n---\n\n{text}\n"
    root = make_site(tmp_path / "site", pages, "search = false\nmax_page_bytes = 4096\n")
    (root / "content/a/07.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    cfg = load_config(root)
    seen = {}
    for ahead in (1, parallel.READ_AHEAD):
        monkeypatch.setattr(parallel, "READ_AHEAD", ahead)
        shutil.rmtree(root / ".sitegen", ignore_errors=True)
        build(cfg, jobs=jobs, progress=False)
        first = _rows(root)
        for p in sorted((root / "content").rglob("*.*"))[::3]:
            bump_mtime(p)
        (root / "content/a/10.html").write_text(pages["a/10.html"].replace("文章10", "改过的文章"), encoding="utf-8")
        build(cfg, jobs=jobs, progress=False)
        second = _rows(root)
        if jobs > 1:  # (two workers commit their chunks in either order)
            first, second = ([sorted(t) for t in first], [sorted(t) for t in second])
        seen[ahead] = (first, second)
        (root / "content/a/10.html").write_text(pages["a/10.html"], encoding="utf-8")
    one, group = seen.values()
    assert one == group
    kinds = {r[0]: r[4] for r in one[0][0]}
    assert kinds["a/05.html"] == kinds["a/07.html"] == "error" and kinds["a/01.html"] == "article"


def test_workers_leave_the_journal_checkpoints_to_the_parent(tmp_path, monkeypatch):
    """A worker's connection never checkpoints the journal (its commits would wait for the
    fsyncs with the core idle): the parent, which waits for the workers anyway, does, as they
    go (so the journal stays short whatever the number of pages cleaned)."""
    import sqlite3

    from conftest import make_site
    from sitegen import clean
    from sitegen.build import load_site_profiles, scan_sources
    from sitegen.config import load_config
    from sitegen.store import Store

    worker = Store.attach(_store_dir(tmp_path / "w"))
    assert worker.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    assert parallel._worker_store(tmp_path / "w").db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0

    text = "这是一段足够长的中文正文，用来构成文章的主体内容，记者从现场发回报道，相关部门已经作出回应。" * 8
    pages = {f"a/{i:03}.html": f"<html><head><title>文章{i}</title></head><body><article><h1>文章{i}</h1>"
             f"<p>{text}{i}</p><p>{text}</p></article></body></html>" for i in range(96)}
    root = make_site(tmp_path / "site", pages, "search = false\n")
    cfg = load_config(root)
    sources = scan_sources(cfg.content_dir)
    profiles = load_site_profiles(cfg)
    calls = []
    real = Store.checkpoint
    monkeypatch.setattr(Store, "checkpoint", lambda self: (calls.append(1), real(self)))
    for every in (10 ** 6, 4):  # (never; after each chunk)
        monkeypatch.setattr(parallel, "CHECKPOINT_PAGES", every)
        folder = tmp_path / f"store-{every}"
        store = Store(folder)
        assert parallel.refresh_records(sources, store, profiles, cfg, clean.CLEANER_VERSION, 2) == (96, 0)
        assert len(store.stored()) == 96
        store.close()
        db = sqlite3.connect(folder / "store.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    assert len(calls) >= 12  # (96 pages in chunks of 6: 16 chunks; none when never asked)


def _store_dir(folder):
    from sitegen.store import Store

    Store(folder).close()
    return folder


@pytest.mark.parametrize("n", [0, 1, 3, 5, 9, 31, 100, 127, 2000, 10_001])
@pytest.mark.parametrize("size,jobs", [(32, 2), (6, 2), (32, 4), (4, 2)])
def test_tapered_batches_cover_the_items_in_order_and_shrink_at_the_end(n, size, jobs):
    items = list(range(n))
    batches = list(parallel._tapered(items, size, jobs))
    assert [x for b in batches for x in b] == items
    sizes = [len(b) for b in batches]
    assert all(a >= b for a, b in zip(sizes, sizes[1:]))  # never growing
    assert all(s <= max(size, parallel.TAPER_MIN) for s in sizes)
    assert all(s >= parallel.TAPER_MIN for s in sizes[:-1])
    if n >= 4 * size * jobs:  # full batches first; the last ones small
        assert sizes[0] == size and sizes[-2] <= parallel.TAPER_MIN
