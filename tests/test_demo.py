"""The repository's own demo site builds into a real, linked, clean site."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote

import pytest

from sitegen.build import build
from sitegen.config import load_config

from conftest import REPO
from sitecheck import broken_links, html_files, soup_of


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not any((REPO / "content").rglob("*.html")):
        pytest.skip("no demo content")
    import shutil

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "content", root / "content")
    report = build(load_config(root), jobs=2)
    sources = sorted(p for p in (root / "content").rglob("*") if p.suffix in (".html", ".htm", ".md"))
    r = subprocess.run([sys.executable, "-m", "sitegen", "clean", "--json", *map(str, sources)],
                       capture_output=True, text=True, cwd=root)
    records = [json.loads(line) for line in r.stdout.splitlines()]
    return root, report, records


def test_demo_builds_without_errors(demo):
    root, report, records = demo
    assert report.errors == []
    assert report.articles >= 30
    kinds = {d["kind"] for d in records}
    assert "article" in kinds and kinds - {"article"}, "the demo must contain a page that is skipped"
    assert len(report.skipped) >= 1


def test_every_record_has_a_page(demo):
    root, report, records = demo
    out = root / "_site"
    titles_by_page = {}
    for page in html_files(out):
        soup = soup_of(page)
        if "kind-article" in (soup.body.get("class") or []):
            titles_by_page[page] = soup.h1.get_text()
    built_titles = sorted(titles_by_page.values())
    expected = sorted(d["title"] for d in records if d["kind"] == "article")
    # a hand-corrected .md record replaces the mirrored page of the same path
    assert len(built_titles) == report.articles
    assert set(built_titles) <= set(expected)


def test_every_tag_page_lists_exactly_its_articles(demo):
    root, report, records = demo
    out = root / "_site"
    # what the article pages themselves say
    by_tag: dict[str, set[str]] = defaultdict(set)
    for page in html_files(out):
        soup = soup_of(page)
        if "kind-article" in (soup.body.get("class") or []):
            for a in soup.select("header ul.tags a"):
                by_tag[a.get_text()].add(page.resolve().as_posix())
    assert len(by_tag) >= 20
    overview = soup_of(out / "tags/index.html")
    links = {a.get_text(): (out / "tags" / unquote(a["href"])).resolve() for a in overview.select(".tag-cloud a")}
    assert set(links) == set(by_tag)
    for tag, first in links.items():
        listed: set[str] = set()
        page, seen = first, set()
        while page:
            assert page not in seen
            seen.add(page)
            soup = soup_of(page)
            listed |= {(page.parent / unquote(a["href"])).resolve().as_posix() for a in soup.select(".entries h2 a")}
            nxt = soup.select_one(".pagination a.next")
            page = (page.parent / unquote(nxt["href"])).resolve() if nxt else None
        assert listed == by_tag[tag], tag


def test_home_pagination_chains_newest_first(demo):
    root, report, records = demo
    out = root / "_site"
    page, dates, count, prev = (out / "index.html").resolve(), [], 0, None
    while page:
        soup = soup_of(page)
        if prev is not None:
            back = soup.select_one(".pagination a.prev")
            assert back is not None and (page.parent / unquote(back["href"])).resolve() == prev
        for item in soup.select(".entries .entry"):
            count += 1
            t = item.select_one("time")
            dates.append(t["datetime"][:10] if t else None)
        nxt = soup.select_one(".pagination a.next")
        prev, page = page, ((page.parent / unquote(nxt["href"])).resolve() if nxt else None)
    assert count == report.articles
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates.index(None) == len(dated) if None in dates else True
    assert all(d is None for d in dates[len(dated):])


def test_no_broken_links_and_no_source_scripts(demo):
    root, report, records = demo
    out = root / "_site"
    assert broken_links(out) == []
    for page in html_files(out):
        soup = soup_of(page)
        body = soup.select_one(".article-body")
        if body is None:
            continue
        assert not body.find_all(["script", "iframe", "style", "form", "object", "embed"])
        for tag in body.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], page
            for attr in ("href", "src"):
                assert not str(tag.get(attr, "")).strip().lower().startswith(("javascript:", "data:")), page
