"""The commit makes folders one segment at a time and resolves only links already standing in
the output folder: the same guarantees as resolving every folder."""

from __future__ import annotations

import os

import pytest

from sitegen.output import Output


def files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_deep_folders_are_made_and_files_in_the_way_replaced(tmp_path):
    site = tmp_path / "_site"
    site.mkdir()
    (site / "a").write_bytes(b"a page that became a section")
    (site / "b").mkdir()
    (site / "b/c").write_bytes(b"a deeper page that became a section")
    out = Output(site, tmp_path / "staging")
    for rel in ("a/x/y/1.html", "a/x/2.html", "b/c/d/3.html", "e/f/g/h/4.html", "top.html"):
        assert out.put(rel, rel.encode())
    out.commit()
    assert files(site) == ["a/x/2.html", "a/x/y/1.html", "b/c/d/3.html", "e/f/g/h/4.html", "top.html"]
    assert (site / "b/c/d/3.html").read_bytes() == b"b/c/d/3.html"


def test_a_deeper_link_leading_outside_is_refused(tmp_path):
    site = tmp_path / "_site"
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "a/b").mkdir(parents=True)
    os.symlink(outside, site / "a/b/evil")
    out = Output(site, tmp_path / "staging")
    out.put("a/ok.html", b"ok")
    out.put("a/b/evil/c/x.html", b"x")
    with pytest.raises(ValueError):
        out.commit()
    assert list(outside.iterdir()) == []


def test_a_link_inside_the_site_is_followed(tmp_path):
    site = tmp_path / "_site"
    (site / "real").mkdir(parents=True)
    os.symlink(site / "real", site / "alias")
    os.symlink(site / "missing", site / "dangling")
    out = Output(site, tmp_path / "staging")
    out.put("alias/x/1.html", b"1")
    out.put("dangling/2.html", b"2")
    out.commit(prune=False)  # (the prune walk would remove real/x/1.html: only alias/x/1.html belongs)
    assert (site / "real/x/1.html").read_bytes() == b"1"
    assert (site / "dangling").is_dir() and not (site / "dangling").is_symlink()
    assert (site / "dangling/2.html").read_bytes() == b"2"
