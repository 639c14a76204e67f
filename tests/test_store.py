"""The record store: what a change to a source, a profile or the store itself re-cleans."""

from __future__ import annotations

import shutil

from sitegen.build import build
from sitegen.config import load_config

from conftest import bump_mtime, make_site

PROFILE = """name = "{name}"
priority = {priority}
drop = [{drop}]
[match]
signatures = [["div.{name}-body"]]
[fields]
title = ["h1"]
body = ["div.{name}-body"]
"""
TEXT = "这是一段足够长的中文正文，用来构成文章的主体内容，记者从现场发回报道，相关部门已经作出回应。"


def claimed_page(name: str, i: int) -> str:
    return (f"<html><body><h1>{name}文章{i}</h1><div class='{name}-body'><p>{TEXT}{i}</p><p>{TEXT}</p>"
            f"<p class='ad'>广告</p></div></body></html>")


def generic_page(i: int) -> str:
    return (f"<html><head><title>通用文章{i}</title></head><body><article><h1>通用文章{i}</h1>"
            f"<p>{TEXT}{i}</p><p>{TEXT}</p><p>{TEXT}</p></article></body></html>")


def site(tmp_path):
    pages = {}
    for i in range(3):
        pages[f"alpha/{i}.html"] = claimed_page("alpha", i)
        pages[f"beta/{i}.html"] = claimed_page("beta", i)
        pages[f"misc/{i}.html"] = generic_page(i)
    pages["notes/1.md"] = f"---\ntitle: 笔记\ndate: 2024-01-01\n---\n\n{TEXT}\n"
    root = make_site(tmp_path, pages, "search = false\n")
    set_profile(root, "alpha", 30, "")
    set_profile(root, "beta", 20, "")
    return root


def set_profile(root, name: str, priority: int, drop: str) -> None:
    (root / "profiles").mkdir(exist_ok=True)
    (root / "profiles" / f"{name}.toml").write_text(PROFILE.format(name=name, priority=priority, drop=drop),
                                                   encoding="utf-8")




def test_profile_change_recleans_only_the_pages_it_claimed(tmp_path):
    root = site(tmp_path)
    cfg = load_config(root)
    first = build(cfg, jobs=1, progress=False)
    assert first.errors == [] and first.cleaned == 10 and first.articles == 10
    assert "广告" in (root / "_site/beta/0.html").read_text(encoding="utf-8")
    # beta's rules change, not its [match]: only beta's pages are cleaned again
    set_profile(root, "beta", 20, '"p.ad"')
    second = build(cfg, jobs=1, progress=False)
    assert (second.cleaned, second.reused) == (3, 7)
    assert "广告" not in (root / "_site/beta/0.html").read_text(encoding="utf-8")
    assert "广告" in (root / "_site/alpha/0.html").read_text(encoding="utf-8")
    # alpha's [match] changes (its priority): alpha's pages, and every page a profile tried after
    # it or the generic extractor made, could now be decided differently; Markdown cannot
    set_profile(root, "alpha", 31, "")
    third = build(cfg, jobs=1, progress=False)
    assert (third.cleaned, third.reused) == (9, 1)
    # the lowest-priority profile's [match] changes: its pages and the generic ones
    set_profile(root, "beta", 21, '"p.ad"')
    fourth = build(cfg, jobs=1, progress=False)
    assert (fourth.cleaned, fourth.reused) == (6, 4)


def test_unchanged_and_touched_sources_are_never_cleaned_again(tmp_path):
    root = site(tmp_path)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    for p in (root / "content").rglob("*.*"):
        bump_mtime(p)
    again = build(cfg, jobs=1, progress=False)
    assert (again.cleaned, again.reused) == (0, 10)
    page = root / "content/misc/1.html"
    page.write_text(generic_page(1).replace("通用文章1", "改过的通用文章"), encoding="utf-8")
    third = build(cfg, jobs=1, progress=False)
    assert (third.cleaned, third.reused) == (1, 9)
    assert "改过的通用文章" in (root / "_site/misc/1.html").read_text(encoding="utf-8")


def test_deleting_or_corrupting_the_cache_is_safe(tmp_path):
    root = site(tmp_path)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    want = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()}
    shutil.rmtree(root / ".sitegen")
    report = build(cfg, jobs=1, progress=False)
    assert report.cleaned == 10 and report.written == 0  # same bytes: nothing rewritten
    (root / ".sitegen/store.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (root / f".sitegen/store.sqlite{suffix}").unlink(missing_ok=True)
    report = build(cfg, jobs=1, progress=False)
    assert report.cleaned == 10 and report.errors == []
    got = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()}
    assert got == want


def test_an_output_changed_behind_the_builds_back_is_restored(tmp_path):
    root = site(tmp_path)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    page = root / "_site/alpha/1.html"
    want = page.read_bytes()
    page.write_bytes(b"vandalised")
    (root / "_site/tags/index.html").unlink()
    report = build(cfg, jobs=1, progress=False)
    assert report.rendered == 2 and report.written == 2
    assert page.read_bytes() == want and (root / "_site/tags/index.html").is_file()


def test_the_stored_duplicate_fingerprints_and_url_keys_are_those_of_the_records(tmp_path):
    from sitegen.build import BuildReport, collect
    from sitegen.links import fingerprint, normalise_url
    from sitegen.store import Store

    root = site(tmp_path)
    (root / "content/misc/short.md").write_text("---\ntitle: 短\n---\n\n短文。\n", encoding="utf-8")
    (root / "content/misc/url.md").write_text(f"---\ntitle: 有链接\nurl: HTTPS://WWW.Example.com/a/index.html#x\n"
                                              f"---\n\n{TEXT}\n", encoding="utf-8")
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    with Store(cfg.cache_dir) as store:
        present = {p for p, *_ in store.results_meta()}
        entries = collect([r for r in store.results_meta() if r[0] in present], cfg, BuildReport(output_dir=cfg.output_dir))
        stored = store.fingerprints()
        url_keys = store.url_keys()
    assert len(entries) == 12
    assert url_keys == {e.id: normalise_url(e.url) for e in entries if e.url}
    assert url_keys["misc/url.md"] == "//example.com/a"
    assert {e.id: fingerprint(e) for e in entries} == {e.id: stored[e.id] for e in entries}
    assert stored["misc/short.md"] is None and stored["notes/1.md"][2] == "2024-01-01"


def _answers(store):
    return store.stored(), store.site_meta()


def test_one_reading_answers_stored_and_site_meta_as_fresh_reads_do(tmp_path):
    """``Store.read_all``: ``stored()`` and ``site_meta()`` answer from one scan of the table,
    brought up to date for this connection's own writes, and read afresh after another
    connection's; either way they equal what a new connection reads."""
    from sitegen.store import Store

    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    folder = root / ".sitegen"
    with Store(folder) as store, Store(folder) as other:
        scans = []
        store.db.set_trace_callback(lambda sql: scans.append(sql) if "FROM results" in sql and "WHERE" not in sql else None)
        store.read_all()
        first = store.stored()
        assert len(scans) == 1 and first == Store(folder).stored()
        # this connection writes: a new row, a restamp, a removal
        rows = other.db.execute("SELECT * FROM results ORDER BY source_path").fetchall()
        body = other.db.execute("SELECT * FROM bodies WHERE source_path=?", (rows[0][0],)).fetchone()
        store.put_rows([((("copy/" + rows[0][0]),) + rows[0][1:], ("copy/" + body[0], body[1]))])
        store.restamp([(rows[1][0], "1:2:3:4")])
        store.forget([rows[2][0]])
        with Store(folder) as fresh:
            expected = _answers(fresh)
        assert store.stored() == expected[0]
        assert store.site_meta() == expected[1]
        assert len(scans) == 1  # the written rows were read by path, the rest not again
        # another connection writes: everything is read again
        store.read_all()
        other.restamp([(rows[3][0], "5:6:7:8")])
        with Store(folder) as fresh:
            expected = _answers(fresh)
        assert _answers(store) == expected and len(scans) >= 3
