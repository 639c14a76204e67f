"""The whole-build shortcut: a rebuild with nothing changed stops after reading the sources, and
any change to any input (or to the site it made) defeats it, the full build then being equal to a
clean build, byte for byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sitegen import shortcut
from sitegen.build import build
from sitegen.config import load_config
from sitegen.store import Store

from conftest import bump_mtime, make_site

TEXT = "这是一段足够长的中文正文，用来构成文章的主体内容，记者从现场发回报道，相关部门已经作出回应。"
PROFILE = """name = "gamma"
priority = 30
[match]
signatures = [["div.gamma-body"]]
[fields]
title = ["h1"]
body = ["div.gamma-body"]
"""


@pytest.fixture(autouse=True, params=["in-process", "forked"])
def site_check_mode(request, monkeypatch):
    """Every test twice: the output folder and the sources checked in the build's process, and
    in forked ones (``shortcut.SiteCheck``, ``shortcut.SourceCheck``, which small sites skip)."""
    monkeypatch.setattr(shortcut.SiteCheck, "MIN_ENTRIES", 0 if request.param == "forked" else 10**9)
    monkeypatch.setattr(shortcut.SourceCheck, "MIN_FILES", 0 if request.param == "forked" else 10**9)
    return request.param


def page(i: int, tag: str = "经济") -> str:
    return (f"<html><head><title>文章{i}</title></head><body><article><h1>文章{i}</h1>"
            f"<p>{TEXT}{i}</p><p>{TEXT}</p><p>{TEXT}</p><a rel='tag' href='/tag/{tag}'>{tag}</a>"
            f"</article></body></html>")


def site(tmp_path: Path) -> Path:
    pages = {f"news/{i}.html": page(i) for i in range(4)}
    pages["notes/1.md"] = f"---\ntitle: 笔记\ndate: 2024-01-01\ntags: [政治]\n---\n\n{TEXT}\n"
    pages["broken.html"] = b"\x00\x01 not a page"
    return make_site(tmp_path / "site", pages, "search = false\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(root: Path, tmp_path: Path) -> dict[str, bytes]:
    fresh = tmp_path / "fresh"
    if fresh.exists():
        shutil.rmtree(fresh)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("_site", ".sitegen"))
    build(load_config(fresh), jobs=1, progress=False)
    return tree(fresh / "_site")


def took_shortcut(report) -> bool:
    return "clean" not in report.timings  # the shortcut returns right after reading the sources


def same(report, other) -> tuple:
    return (report.articles, report.skipped, report.errors, report.warnings, report.outputs)


def test_nothing_changed_stops_after_reading_with_the_same_report(tmp_path):
    root = site(tmp_path)
    first = build(load_config(root), jobs=1, progress=False)
    assert not took_shortcut(first) and first.articles == 5 and first.skipped and first.warnings
    again = build(load_config(root), jobs=1, progress=False)
    assert took_shortcut(again)
    assert same(again, first) == same(first, first)
    assert (again.cleaned, again.reused, again.rendered, again.written, again.removed) == (0, 6, 0, 0, 0)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))


def _touch_source(root):
    bump_mtime(root / "content/news/1.html")


def _edit_source(root):
    (root / "content/news/1.html").write_text(page(1, "文化"), encoding="utf-8")


def _add_source(root):
    (root / "content/news/9.html").write_text(page(9), encoding="utf-8")


def _remove_source(root):
    (root / "content/news/2.html").unlink()


def _rename_source(root):
    os.rename(root / "content/news/3.html", root / "content/news/33.html")


def _edit_config(root):
    (root / "sitegen.toml").write_text('search = false\ntitle = "另一个镜像"\n', encoding="utf-8")


def _add_template(root):
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/404.html").write_text("<p>没有这一页</p>\n", encoding="utf-8")


def _add_profile(root):
    (root / "profiles").mkdir(exist_ok=True)
    (root / "profiles/gamma.toml").write_text(PROFILE, encoding="utf-8")


def _edit_output(root):
    p = root / "_site/index.html"
    p.write_bytes(p.read_bytes() + b"<!-- edited -->")


def _remove_output(root):
    (root / "_site/news/0.html").unlink()


def _add_stray_output(root):
    (root / "_site/stray.html").write_text("left behind", encoding="utf-8")


def _touch_output(root):
    bump_mtime(root / "_site/index.html")


CHANGES = [_touch_source, _edit_source, _add_source, _remove_source, _rename_source, _edit_config,
           _add_template, _add_profile, _edit_output, _remove_output, _add_stray_output, _touch_output]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_any_change_defeats_the_shortcut_and_the_build_equals_a_clean_one(tmp_path, change):
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))
    change(root)
    report = build(load_config(root), jobs=1, progress=False)
    assert not took_shortcut(report)
    assert tree(root / "_site") == clean_build(root, tmp_path)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))  # and it is remembered again


def test_a_different_search_mode_defeats_it(tmp_path):
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    assert not took_shortcut(build(load_config(root), jobs=1, progress=False, search="defer"))
    assert took_shortcut(build(load_config(root), jobs=1, progress=False, search="defer"))


def test_a_failed_build_forgets_it(tmp_path):
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    (root / "templates").mkdir()
    (root / "templates/list.html").write_text("{% for x in %}", encoding="utf-8")  # a syntax error
    with pytest.raises(Exception):
        build(load_config(root), jobs=1, progress=False)
    (root / "templates/list.html").unlink()
    report = build(load_config(root), jobs=1, progress=False)
    assert not took_shortcut(report)  # templates are as before, but the store forgot the fingerprint
    assert tree(root / "_site") == clean_build(root, tmp_path)


def test_any_edit_of_sitegen_code_or_theme_changes_the_fingerprint(tmp_path, monkeypatch):
    """The package folder (code, built-in profiles) and the default theme are hashed byte for byte."""
    root = site(tmp_path)
    cfg = load_config(root)
    package = Path(shortcut.__file__).resolve().parent
    copy = tmp_path / "copy"
    shutil.copytree(package, copy / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(package.parent / "templates", copy / "templates")
    monkeypatch.setattr(shortcut, "__file__", str(copy / "sitegen" / "shortcut.py"))
    base = shortcut.settings_fingerprint(cfg, None)
    assert shortcut.settings_fingerprint(cfg, None) == base
    seen = {base}
    for rel in ("sitegen/extract.py", "sitegen/profiles/__init__.py", "templates/_macros.html"):
        p = copy / rel
        data = p.read_bytes()
        p.write_bytes(data + b" ")
        seen.add(shortcut.settings_fingerprint(cfg, None))
        p.write_bytes(data)
        assert shortcut.settings_fingerprint(cfg, None) == base
    (copy / "sitegen" / "new.py").write_text("", encoding="utf-8")
    seen.add(shortcut.settings_fingerprint(cfg, None))
    monkeypatch.setattr(shortcut, "_library_stamps", lambda: "another jinja2")
    (copy / "sitegen" / "new.py").unlink()
    seen.add(shortcut.settings_fingerprint(cfg, None))
    assert len(seen) == 6


def test_the_site_fingerprint_remembered_from_the_prune_walk_equals_a_fresh_walk(tmp_path):
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)  # a new site: staged whole, one rename
    with Store(root / ".sitegen") as store:
        assert shortcut.load(store)["site"] == shortcut.stat_digest(root / "_site", shortcut._entry_paths(root / "_site", None))
    (root / "_site/linked").symlink_to(root / "content", target_is_directory=True)  # left alone
    (root / "_site/stray/deep").mkdir(parents=True)  # removed (empty)
    (root / "_site/kept/deep").mkdir(parents=True)
    (root / "_site/kept/deep/x.txt").write_text("stray", encoding="utf-8")  # removed, then the folders
    _edit_source(root)
    build(load_config(root), jobs=1, progress=False)
    assert not (root / "_site/stray").exists() and not (root / "_site/kept").exists()
    with Store(root / ".sitegen") as store:
        saved = shortcut.load(store)
    walked = shortcut._entry_paths(root / "_site", None)
    assert saved["paths"].split("\n") == walked  # every entry the prune walk left, as a fresh walk finds them
    assert saved["site"] == shortcut.stat_digest(root / "_site", walked)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))


def _stray_deep(root):
    (root / "_site/news/stray.html").write_text("left behind", encoding="utf-8")


def _empty_folder_deep(root):
    (root / "_site/news/empty").mkdir()


def _file_becomes_folder(root):
    (root / "_site/news/0.html").unlink()
    (root / "_site/news/0.html").mkdir()


def _rename_inside(root):
    (root / "_site/news/0.html").rename(root / "_site/news/0-old.html")


@pytest.mark.parametrize("change", [_stray_deep, _empty_folder_deep, _file_becomes_folder, _rename_inside],
                         ids=lambda f: f.__name__.strip("_"))
def test_the_stat_check_sees_what_only_a_walk_would_list(tmp_path, change):
    """The shortcut stats the entries it knows instead of listing folders: an entry added deep
    inside must still defeat it (through its folder's mtime)."""
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))
    change(root)
    assert not took_shortcut(build(load_config(root), jobs=1, progress=False))
    assert tree(root / "_site") == clean_build(root, tmp_path)


def _new_deep_folder(root):
    (root / "content/news/2024/05").mkdir(parents=True)
    (root / "content/news/2024/05/7.html").write_text(page(7), encoding="utf-8")


def _remove_folder(root):
    shutil.rmtree(root / "content/notes")


def _same_size_edit_mtime_restored(root):
    p = root / "content/news/1.html"
    st = p.stat()
    data = p.read_bytes()
    p.write_bytes(data.replace("测".encode(), "试".encode(), 1) if "测".encode() in data else data[:-1] + b" ")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # the ctime still moves


def _replace_by_rename(root):  # an atomic save: same name, new inode
    tmp = root / "content/news/.1.html.tmp"
    tmp.write_text(page(1, "文化"), encoding="utf-8")
    os.replace(tmp, root / "content/news/1.html")


@pytest.mark.parametrize("change", [_new_deep_folder, _remove_folder, _same_size_edit_mtime_restored, _replace_by_rename],
                         ids=lambda f: f.__name__.strip("_"))
def test_the_sources_are_checked_without_a_scan_yet_nothing_hides(tmp_path, change, monkeypatch):
    """The shortcut stats the sources the last scan found, and their folders (whose mtime moves
    when an entry comes or goes), instead of scanning: every kind of change must still defeat it."""
    from sitegen import build as build_module

    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    scan = build_module.scan_sources
    monkeypatch.setattr(build_module, "scan_sources", lambda *a: pytest.fail("the shortcut scanned"))
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))
    monkeypatch.setattr(build_module, "scan_sources", scan)
    change(root)
    assert not took_shortcut(build(load_config(root), jobs=1, progress=False))
    assert tree(root / "_site") == clean_build(root, tmp_path)


@pytest.mark.parametrize("change", [_edit_source, _same_size_edit_mtime_restored, _touch_source],
                         ids=lambda f: f.__name__.strip("_"))
def test_an_edit_in_place_is_built_without_a_scan(tmp_path, change, monkeypatch):
    """When every folder of the sources is as the last build saw it, no file came or went: the
    build takes the files' fresh stats instead of scanning, and equals a clean build. (An atomic
    save renames a file into its folder, which moves the folder: that build scans.)"""
    from sitegen import build as build_module

    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    change(root)
    scan = build_module.scan_sources
    monkeypatch.setattr(build_module, "scan_sources", lambda *a: pytest.fail("scanned"))
    report = build(load_config(root), jobs=1, progress=False)
    assert not took_shortcut(report)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))
    monkeypatch.setattr(build_module, "scan_sources", scan)
    assert tree(root / "_site") == clean_build(root, tmp_path)
    _add_source(root)  # a file added: its folder moved, so the next build scans and finds it
    calls = []
    monkeypatch.setattr(build_module, "scan_sources", lambda *a: calls.append(1) or scan(*a))
    build(load_config(root), jobs=1, progress=False)
    assert calls and tree(root / "_site") == clean_build(root, tmp_path)


def test_the_folder_remembered_after_small_builds_equals_a_fresh_stat_of_it(tmp_path):
    """A build over a known output folder stats again only what it wrote or removed (and their
    folders): what it remembers must equal a full stat of the folder after every kind of change."""
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    def permalink(to):
        def change(root):
            (root / "sitegen.toml").write_text(f'search = false\npermalink = "{to}"\n', encoding="utf-8")
        change.__name__ = f"permalink {to}"
        return change

    for change in (_edit_source, _add_source, _remove_source, _rename_source, _touch_source, _edit_source,
                   permalink("{path}/"), permalink("{path}/index.html/"), permalink("{path}.html")):
        change(root)
        build(load_config(root), jobs=1, progress=False)
        with Store(root / ".sitegen") as store:
            saved = shortcut.load(store)
        walked = shortcut._entry_paths(root / "_site", None)
        assert saved["paths"].split("\n") == walked, change.__name__
        assert saved["site"] == shortcut.stat_digest(root / "_site", walked), change.__name__
        assert took_shortcut(build(load_config(root), jobs=1, progress=False)), change.__name__


def test_the_forked_check_answers_what_the_in_process_one_does(tmp_path, monkeypatch):
    monkeypatch.setattr(shortcut.SiteCheck, "MIN_ENTRIES", 0)  # forked, whatever the module's mode
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    with Store(root / ".sitegen") as store:
        saved = shortcut.load(store)
    check = shortcut.SiteCheck(saved, root / "_site")
    assert check._pid is not None  # it forked
    known, here = check.result(), shortcut.site_entries(saved, root / "_site")
    assert known is not None and (known.paths, known.parts) == (here.paths, here.parts)
    assert check.result() is known  # asked twice, forked once
    _stray_deep(root)
    check = shortcut.SiteCheck(saved, root / "_site")
    assert check._pid is not None and check.result() is None
    check = shortcut.SiteCheck(saved, root / "_site")
    check.close()  # never asked: the child is waited for, its pipe closed
    with pytest.raises(ChildProcessError):
        os.waitpid(check._pid, 0)
    # paused: made now, begun when started (or asked), ended unbegun when closed
    build(load_config(root), jobs=1, progress=False)  # (the stray file is pruned, the folder known again)
    with Store(root / ".sitegen") as store:
        saved = shortcut.load(store)
    for start in (True, False):
        check = shortcut.SiteCheck(saved, root / "_site", paused=True)
        assert check._pid is not None
        if start:
            check.start()
            check.start()  # (once)
        known = check.result()
        here = shortcut.site_entries(saved, root / "_site")
        assert known is not None and (known.paths, known.parts) == (here.paths, here.parts)
    check = shortcut.SiteCheck(saved, root / "_site", paused=True)
    check.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(check._pid, 0)


def test_the_forked_source_stat_answers_what_the_in_process_one_does(tmp_path, monkeypatch):
    monkeypatch.setattr(shortcut.SourceCheck, "MIN_FILES", 0)  # forked, whatever the module's mode
    root = site(tmp_path)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    with Store(root / ".sitegen") as store:
        saved = shortcut.load(store)
    settings = shortcut.settings_fingerprint(cfg, None)

    def both():
        check = shortcut.SourceCheck(saved, cfg.content_dir)
        assert check.forked
        got, here = check.result(settings), shortcut.stat_sources(saved, settings, cfg.content_dir)
        assert check.result(settings) == got  # asked twice, forked once
        return got, here

    got, here = both()
    assert got is not None and got == here and got.same_folders and got.digest() == saved["sources"]
    edited = root / "content/news/1.html"
    edited.write_text(edited.read_text(encoding="utf-8") + " ", encoding="utf-8")
    bump_mtime(edited)
    got, here = both()
    assert got == here and got.same_folders and got.digest() != saved["sources"]
    assert dict(got.files)["news/1.html"][0] == edited.stat().st_size
    _add_source(root)  # its folder moved: a scan is needed
    got, here = both()
    assert got == here and not got.same_folders
    edited.unlink()  # a remembered file vanished
    got, here = both()
    assert got is None and here is None
    check = shortcut.SourceCheck(saved, cfg.content_dir)
    assert check.result("other settings") is None  # not comparable: the child is reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(check._check._pid, 0)
    check = shortcut.SourceCheck(saved, cfg.content_dir)
    check.close()  # never asked: the child is waited for, its pipe closed
    with pytest.raises(ChildProcessError):
        os.waitpid(check._check._pid, 0)


def test_an_edit_rewrites_the_small_record_only_and_a_torn_one_is_not_trusted(tmp_path, monkeypatch):
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    written = []
    real = Store.set_meta
    monkeypatch.setattr(Store, "set_meta", lambda self, k, v: written.append(k) or real(self, k, v))
    p = root / "content/news/1.html"
    p.write_text(p.read_text(encoding="utf-8").replace("</p>", "又及。</p>", 1), encoding="utf-8")
    report = build(load_config(root), jobs=1, progress=False)
    assert report.written >= 1
    assert written == [shortcut.META_KEY]  # no source, folder or output came or went: lists as they were
    written.clear()
    _add_source(root)
    build(load_config(root), jobs=1, progress=False)
    assert written == [shortcut.LISTS_KEY, shortcut.OUTLINE_KEY, shortcut.META_KEY]  # (a new article)
    assert took_shortcut(build(load_config(root), jobs=1, progress=False))
    with Store(root / ".sitegen") as store:  # lists from another build than the record: no shortcut
        store.set_meta(shortcut.LISTS_KEY, store.get_meta(shortcut.LISTS_KEY) + "\nnews/ghost.html")
        assert shortcut.load(store) is None
    assert not took_shortcut(build(load_config(root), jobs=1, progress=False))
