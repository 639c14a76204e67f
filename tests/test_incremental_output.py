"""Output.commit: files and folders that change places, and what it leaves behind."""

from __future__ import annotations

import os

import pytest

from sitegen.output import Output


def files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_page_that_became_a_section_and_a_section_that_became_a_page(tmp_path):
    site = tmp_path / "_site"
    (site / "a").mkdir(parents=True)
    (site / "a/b").write_text("old page")  # now a folder
    (site / "x/y").mkdir(parents=True)
    (site / "x/y/index.html").write_text("old section")  # x/y is now a file
    (site / "stray.txt").write_text("not part of the site")
    out = Output(site, tmp_path / "staging")
    assert out.put("a/b/index.html", b"new section")
    assert out.put("x/y", b"new page")
    assert out.put("deep/er/still/index.html", b"deep")
    assert out.commit() == (3, 0 + 1)  # the stray file is removed
    assert files(site) == ["a/b/index.html", "deep/er/still/index.html", "x/y"]
    assert (site / "x/y").read_bytes() == b"new page"
    assert not (tmp_path / "staging").exists()


def test_unchanged_bytes_are_not_staged_and_empty_folders_go(tmp_path):
    site = tmp_path / "_site"
    (site / "p").mkdir(parents=True)
    (site / "p/index.html").write_bytes(b"same")
    (site / "gone/deeper").mkdir(parents=True)
    (site / "gone/deeper/old.html").write_bytes(b"old")
    out = Output(site, tmp_path / "staging")
    assert not out.put("p/index.html", b"same")
    assert out.commit() == (0, 1)
    assert files(site) == ["p/index.html"] and not (site / "gone").exists()


def test_a_folder_link_leading_outside_is_refused(tmp_path):
    site = tmp_path / "_site"
    outside = tmp_path / "outside"
    outside.mkdir()
    site.mkdir()
    os.symlink(outside, site / "evil")
    out = Output(site, tmp_path / "staging")
    out.put("evil/x.html", b"x")
    with pytest.raises(ValueError):
        out.commit()
    assert list(outside.iterdir()) == []
