"""Compiled templates are kept in the cache folder between processes (Jinja's bytecode cache),
and nothing about that cache can fail or change a build: deleted, emptied, corrupted or stale,
the site comes out the same."""

from __future__ import annotations

import shutil

from sitegen.build import build
from sitegen.config import load_config
from sitegen.render import Renderer

from conftest import make_site

TEXT = "这是一段足够长的中文正文，用来构成文章的主体内容，记者从现场发回报道。"


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def site(tmp_path):
    return make_site(tmp_path / "s", {f"a/{i}.md": f"---\ntitle: 第{i}篇\ndate: 2024-01-0{i + 1}\ntags: [经济]\n---\n\n{TEXT}{i}\n"
                                      for i in range(4)}, "search = false\n")


def test_the_cache_is_written_and_anything_done_to_it_changes_nothing(tmp_path):
    root = site(tmp_path)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    reference = tree(root / "_site")
    cached = list((cfg.cache_dir / "jinja").glob("__jinja2_*"))
    assert len(cached) >= 3  # article, list and the base they extend, at least
    for spoil in ("corrupt", "empty", "deleted", "whole cache folder"):
        if spoil == "corrupt":
            for f in cached:
                f.write_bytes(b"\x00not bytecode" + f.read_bytes()[40:])
        elif spoil == "empty":
            for f in cached:
                f.write_bytes(b"")
        elif spoil == "deleted":
            shutil.rmtree(cfg.cache_dir / "jinja")
        else:
            shutil.rmtree(cfg.cache_dir)
        shutil.rmtree(root / "_site")
        Renderer.__init__.__globals__["_ENV_CACHE"].clear()  # as a new process: templates loaded again
        build(load_config(root), jobs=1, progress=False)
        assert tree(root / "_site") == reference, spoil
        cached = list((cfg.cache_dir / "jinja").glob("__jinja2_*"))


def test_an_edited_template_is_not_served_from_the_cache(tmp_path):
    root = site(tmp_path)
    build(load_config(root), jobs=1, progress=False)
    theme = root / "templates"
    theme.mkdir()
    base = Renderer(None, "zh-CN").dirs[0] / "article.html"
    (theme / "article.html").write_text(base.read_text(encoding="utf-8").replace("<article", "<article data-x=\"1\""),
                                        encoding="utf-8")
    Renderer.__init__.__globals__["_ENV_CACHE"].clear()
    build(load_config(root), jobs=1, progress=False)
    page = next((root / "_site/a").glob("*.html")).read_text(encoding="utf-8")
    assert 'data-x="1"' in page
