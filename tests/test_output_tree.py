"""Output with no output folder: the new site's folders are made while staging, the files moved
into them and the whole renamed into place, with the same result as the flat commit (the two are
compared on the same outputs, in the same order)."""

from __future__ import annotations

import os

import pytest

from sitegen import output
from sitegen.output import Output, stage


def files(root):
    return sorted((p.relative_to(root).as_posix(), p.read_bytes()) for p in root.rglob("*") if p.is_file())


def build(tmp_path, name: str, outputs, tree: bool, before=None):
    """Stage ``outputs`` ([(rel, bytes)]) and commit; ``tree``: with no output folder (else an
    empty one, so the flat staging is used). ``before``: called between staging and commit."""
    site = tmp_path / name / "_site"
    (tmp_path / name).mkdir()
    if not tree:
        site.mkdir()
    out = Output(site, tmp_path / name / "staging")
    assert out.tree is tree
    for rel, data in outputs:
        assert stage(out.out_dir, out.staging, rel, data)  # (as the rendering processes call it)
        out.add(rel, True)
        assert open(out.staged_path(rel), "rb").read() == data
    if before is not None:
        before(site)
    written, removed = out.commit()
    assert not (tmp_path / name / "staging").exists()
    assert str(out.staging) not in output._TREES
    return site, out, (written, removed)


PAGES = [("index.html", b"home"), ("a/b/c/1.html", b"1"), ("a/b/2.html", b"2"), ("tags/x/index.html", b"x"),
         ("static/style.css", b"css"), ("新闻/页.html", "页".encode())]


def test_a_new_site_is_the_same_as_with_flat_staging(tmp_path):
    site, out, counts = build(tmp_path, "tree", PAGES, True)
    flat, flat_out, flat_counts = build(tmp_path, "flat", PAGES, False)
    assert files(site) == files(flat) == sorted(PAGES)
    assert counts == flat_counts == (len(PAGES), 0)
    # what the shortcut's fingerprint sees of the folder (names, kinds; stats differ by file)
    assert [p.split(" ")[0] for p in out.site_parts] == [p.split(" ")[0] for p in flat_out.site_parts]


@pytest.mark.parametrize("order", [1, -1])
def test_a_page_where_another_output_needs_a_folder(tmp_path, order):
    pages = [("a/b", b"page"), ("a/b/index.html", b"section"), ("c", b"c")][::order]
    site, _, _ = build(tmp_path, "tree", pages, True)
    flat, _, _ = build(tmp_path, "flat", pages, False)
    assert files(site) == files(flat)


def test_a_folder_that_appears_meanwhile(tmp_path):
    def appear(site):
        (site / "a").mkdir(parents=True)
        (site / "stray.txt").write_bytes(b"stray")
        (site / "a/b").write_bytes(b"a file where a folder goes")

    site, _, counts = build(tmp_path, "tree", PAGES + [("a/b/x.html", b"x")], True, appear)
    assert files(site) == sorted(PAGES + [("a/b/x.html", b"x")])
    assert counts == (len(PAGES) + 1, 1)


def test_aborted(tmp_path):
    site = tmp_path / "_site"
    out = Output(site, tmp_path / "staging")
    out.put("x/index.html", b"x")
    out.abort()
    assert not site.exists() and not (tmp_path / "staging").exists()
    assert str(out.staging) not in output._TREES


def test_staging_inside_the_output_folder_is_flat(tmp_path):
    site = tmp_path / "_site"
    out = Output(site, site / ".cache" / "staging")
    assert not out.tree
    out.put("x/index.html", b"x")
    out.commit(prune=False)
    assert (site / "x/index.html").read_bytes() == b"x"


def test_a_forked_stager_writes_flat_and_add_makes_the_folder(tmp_path):
    site = tmp_path / "_site"
    out = Output(site, tmp_path / "staging")
    pid = os.fork()
    if pid == 0:  # (what a rendering process does)
        try:
            stage(out.out_dir, out.staging, "deep/er/x.html", b"x")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert not (tmp_path / "staging" / output.TREE / "deep").exists()
    out.add("deep/er/x.html", True)
    assert (tmp_path / "staging" / output.TREE / "deep/er").is_dir()
    out.commit()
    assert files(site) == [("deep/er/x.html", b"x")]


def test_a_rename_that_fails_goes_back_to_the_flat_commit(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError("refused")

    def before(site):
        monkeypatch.setattr(output.os, "rename", refuse)

    site, _, counts = build(tmp_path, "tree", PAGES, True, before)
    assert files(site) == sorted(PAGES) and counts == (len(PAGES), 0)


@pytest.mark.parametrize("tree", [True, False])
def test_stamps_after_the_commit_are_those_of_the_files(tmp_path, tree):
    site = tmp_path / "_site"
    if not tree:
        site.mkdir()
        (tmp_path / "elsewhere.html").write_bytes(b"linked")
        os.symlink(tmp_path / "elsewhere.html", site / "linked.html")
    out = Output(site, tmp_path / "staging")
    for rel, data in PAGES:
        out.put(rel, data)
    out.keep("linked.html")
    out.commit()
    for rel in [r for r, _ in PAGES] + ["linked.html", "missing.html", "a"]:
        try:
            st = os.stat(site / rel)
            want = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}" if not (site / rel).is_dir() else None
        except OSError:
            want = None
        assert out.stamp(rel) == want, rel
    if not tree:
        assert out.stamp("linked.html") is not None


def walked(site):
    """What the prune walk gathers of a folder: (sorted site_parts, folder_parts, file stamps)."""
    from sitegen.shortcut import _walk_parts

    parts = sorted(_walk_parts(site))
    folders, stamps = {}, {}
    for p in parts:
        if p.endswith("/"):
            st = os.lstat(site / p)
            folders[p] = f"{p} {st.st_mtime_ns} {st.st_ino}"
        else:
            st = os.lstat(site / p.rsplit(" ", 4)[0])
            stamps[p.rsplit(" ", 4)[0]] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
    return parts, folders, stamps


def stage_all(tmp_path, outputs, before=None):
    """As a build stages a new site: what ``stage`` returns (its stats) handed to ``add``."""
    site = tmp_path / "_site"
    out = Output(site, tmp_path / "staging")
    assert out.tree
    for rel, data in outputs:
        staged = stage(out.out_dir, out.staging, rel, data)
        assert isinstance(staged, tuple)
        out.add(rel, staged)
        assert open(out.staged_path(rel), "rb").read() == data
    if before is not None:
        before(site)
    return site, out, out.commit()


def test_a_new_site_with_the_stagers_stats_is_not_walked(tmp_path, monkeypatch):
    def no_walk(self, parts):
        raise AssertionError("walked")

    monkeypatch.setattr(Output, "_prune", no_walk)
    site, out, counts = stage_all(tmp_path, PAGES)
    assert files(site) == sorted(PAGES) and counts == (len(PAGES), 0)
    parts, folders, stamps = walked(site)
    # the prune walk's findings, as a fresh walk of the committed site finds them
    assert sorted(out.site_parts) == parts
    assert out.folder_parts == folders
    assert out._stamps == stamps
    for rel, _ in PAGES:
        st = os.stat(site / rel)
        assert out.stamp(rel) == f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@pytest.mark.parametrize("order", [1, -1])
def test_with_stats_a_page_where_another_output_needs_a_folder(tmp_path, order):
    pages = [("a/b", b"page"), ("a/b/index.html", b"section"), ("a/b/c/d.html", b"d"), ("c", b"c")][::order]
    site, out, _ = stage_all(tmp_path / "tree", pages)
    flat, _, _ = build(tmp_path, "flat", pages, False)
    assert files(site) == files(flat)
    parts, folders, _ = walked(site)
    assert sorted(out.site_parts) == parts and out.folder_parts == folders


def test_with_stats_a_folder_that_appears_meanwhile(tmp_path):
    def appear(site):
        (site / "a").mkdir(parents=True)
        (site / "stray.txt").write_bytes(b"stray")
        (site / "a/b").write_bytes(b"a file where a folder goes")

    pages = PAGES + [("a/b/x.html", b"x")]
    site, out, counts = stage_all(tmp_path, pages, appear)
    assert files(site) == sorted(pages) and counts == (len(pages), 1)
    parts, folders, _ = walked(site)
    assert sorted(out.site_parts) == parts and out.folder_parts == folders


def test_files_go_into_their_folders_as_they_are_added(tmp_path):
    site = tmp_path / "_site"
    out = Output(site, tmp_path / "staging")
    out.add("x/y.html", stage(out.out_dir, out.staging, "x/y.html", b"y"))
    assert (tmp_path / "staging" / output.TREE / "x/y.html").read_bytes() == b"y"
    assert out.staged_path("x/y.html") == f"{tmp_path}/staging/{output.TREE}/x/y.html"
    out.abort()
    assert not site.exists() and not (tmp_path / "staging").exists()
