"""Publishing: feeds, sitemap, metadata, archive, links inside articles, duplicates, search
index, reproducibility, and the built site crawled over real HTTP under a sub-path."""

from __future__ import annotations

import filecmp
import json
import shutil
import threading
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, unquote, urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from sitegen import feeds
from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError

from conftest import REPO, bump_mtime, make_site
from sitecheck import broken_links, html_files, soup_of
from test_pipeline import small_site

BASE = "https://example.org/mirror/"


def md(title: str, body: str, date: str | None = "2024-02-01", tags=("公共",), url: str | None = None) -> str:
    front = [f"title: {title}"] + ([f"date: {date}"] if date else []) + [f"tags: [{', '.join(tags)}]"]
    if url:
        front.append(f"url: {url}")
    return "---\n" + "\n".join(front) + "\n---\n\n" + body + "\n"


_PARA = ("\n\n这是用来测试发布功能的段落，内容是虚构的。[外部链接](https://elsewhere.example/page)。"
         "\n\n![示意图](https://img.example/p6.png)")


def demo_copy(root: Path, config: str) -> Path:
    """The repository's demo content (whatever of it exists) plus a few pages of our own, so the
    tests never depend on which demo articles there are."""
    root.mkdir(parents=True, exist_ok=True)
    if (REPO / "content").is_dir():
        shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("README.md"))
    pages = {f"bnews/p6/2024060{i}/88000{i}.md": md(f"发布测试文章{i}", f"第{i}篇发布测试文章的正文，" * 4 + _PARA,
                                                   date=f"2024-06-0{i}", tags=("发布", f"专题{i % 2}"))
             for i in range(1, 6)}
    pages["bnews/p6/quantum.md"] = md(
        "松岩大学量子计算机首次运行", "松岩大学的研究团队宣布，他们自主研制的量子计算机首次完成了完整的运算任务。"
        "研究人员表示，这台量子计算机将用于材料模拟。", date="2024-06-09", tags=("科技", "发布"),
        url="https://news.example/p6/quantum.html")
    return make_site(root, pages, config)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The demo site built once with base_url under a sub-path; returns the output folder."""
    root = demo_copy(tmp_path_factory.mktemp("pub") / "site", f'base_url = "{BASE}"\nimages = "link"\n')
    report = build(load_config(root), jobs=2)
    assert report.errors == [], report.errors
    return root / "_site"


def local_file(out: Path, url: str) -> Path:
    """The file an absolute site URL stands for."""
    assert url.startswith(BASE), url
    rel = unquote(url[len(BASE):])
    return out / rel / "index.html" if rel.endswith("/") or not rel else out / rel


# --- feeds, sitemap, robots ------------------------------------------------------------------
def test_feeds_parse_without_bozo_and_point_at_the_site(published):
    feeds_ = [published / "feed.xml", *sorted((published / "tags").glob("*/feed.xml"))]
    assert len(feeds_) > 3
    for path in feeds_:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.link.startswith(BASE)
            assert local_file(published, entry.link).is_file(), entry.link
        dated = [e.published for e in parsed.entries if "published" in e]
        if dated:  # no clock: the feed is as new as its newest entry
            assert parsed.feed.updated == max(dated)
    site = feedparser.parse((published / "feed.xml").read_bytes())
    assert site.feed.links[0].href == BASE + "feed.xml"
    assert any(e.title == "松岩大学量子计算机首次运行" for e in site.entries)


def test_sitemap_lists_every_page_and_robots_points_at_it(published):
    soup = BeautifulSoup((published / "sitemap.xml").read_text(encoding="utf-8"), "xml")
    locs = [loc.get_text() for loc in soup.find_all("loc")]
    assert len(locs) == len(set(locs))
    listed = {local_file(published, loc) for loc in locs}
    pages = {p for p in html_files(published) if p.name != "404.html" and "search" not in p.parts}
    assert pages - listed == set()
    assert "Sitemap: " + BASE + "sitemap.xml" in (published / "robots.txt").read_text(encoding="utf-8")


def test_sitemap_becomes_an_index_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 4)
    root = small_site(tmp_path, n=5)
    (root / "sitegen.toml").write_text(f'base_url = "{BASE}"\nsearch = false\n', encoding="utf-8")
    build(load_config(root), jobs=1)
    out = root / "_site"
    index = BeautifulSoup((out / "sitemap.xml").read_text(encoding="utf-8"), "xml")
    assert index.find("sitemapindex") is not None
    parts = [loc.get_text() for loc in index.find_all("loc")]
    assert len(parts) >= 2
    urls = []
    for part in parts:
        doc = BeautifulSoup((out / part[len(BASE):]).read_text(encoding="utf-8"), "xml")
        got = [loc.get_text() for loc in doc.find_all("loc")]
        assert 0 < len(got) <= 4
        urls += got
    assert len(urls) == len(set(urls)) and BASE + "bnews/essay/900001.html" in urls


def test_without_base_url_absolute_urls_are_left_out_with_one_warning(tmp_path):
    root = small_site(tmp_path, n=3)
    (root / "sitegen.toml").write_text("search = false\n", encoding="utf-8")
    report = build(load_config(root), jobs=1)
    out = root / "_site"
    assert len(report.warnings) == 1 and "base_url" in report.warnings[0]
    assert not (out / "feed.xml").exists() and not (out / "sitemap.xml").exists()
    assert not list(out.rglob("feed.xml"))
    for page in html_files(out):
        soup = soup_of(page)
        assert soup.find("link", rel="canonical") is None and soup.find("meta", property="og:url") is None
    assert "Sitemap" not in (out / "robots.txt").read_text(encoding="utf-8")
    assert broken_links(out) == []


# --- article metadata, archive, neighbours ---------------------------------------------------
def test_article_has_canonical_open_graph_and_news_article(published):
    page = published / "bnews/p6/20240603/880003.html"
    soup = soup_of(page)
    canonical = BASE + "bnews/p6/20240603/880003.html"
    assert soup.find("link", rel="canonical")["href"] == canonical
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:type"] == "article" and og["og:url"] == canonical and og["og:title"] == "发布测试文章3"
    assert og["article:tag"] in ("发布", "专题1")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle" and data["headline"] == "发布测试文章3"
    assert data["url"] == canonical and data["keywords"] == ["发布", "专题1"]
    # previous/next links between articles
    assert soup.select_one(".neighbours a[rel=prev]") and soup.select_one(".neighbours a[rel=next]")


def test_monthly_archive(published):
    soup = soup_of(published / "archive/index.html")
    months = {a.get_text(): a["href"] for a in soup.select(".archive-months a")}
    assert "2024年6月" in months
    june = soup_of((published / "archive" / months["2024年6月"]).resolve())
    titles = {a.get_text() for a in june.select(".entries h2 a")}
    assert {"松岩大学量子计算机首次运行", "发布测试文章1"} <= titles


# --- links inside articles, images, duplicates ------------------------------------------------
def _links_site(root: Path, images: str = "keep") -> Path:
    pages = {
        "a/target.md": md("被链接的文章", "这是被其他文章链接的那一篇，内容足够长，可以形成摘要的开头部分，不会与别的文章重复。",
                          url="https://news.example/a/target.html"),
        "a/source.md": md("链接其他文章", (
            "见[另一篇](https://news.example/a/target.html#part)、"
            "[标签页](https://news.example/tag/公共/)、"
            "[外部网站](https://elsewhere.example/x)、"
            "[尚未收录](https://news.example/a/later.html)。\n\n"
            "![地图](https://img.example/map.png)"), url="https://news.example/a/source.html"),
    }
    return make_site(root, pages, f'images = "{images}"\nsearch = false\n')


def test_links_inside_articles_are_rewritten(tmp_path):
    root = _links_site(tmp_path)
    build(load_config(root), jobs=1)
    body = soup_of(root / "_site/a/source.html").select_one(".article-body")
    links = {a.get_text(): a for a in body.find_all("a")}
    assert links["另一篇"]["href"] == "target.html#part" and not links["另一篇"].get("rel")
    assert links["标签页"]["href"] == "../tags/" + quote("公共") + "/index.html"
    assert links["外部网站"]["href"] == "https://elsewhere.example/x"
    assert set(links["外部网站"]["rel"]) == {"noopener", "noreferrer"}
    assert links["尚未收录"]["href"] == "https://news.example/a/later.html"
    img = body.find("img")
    assert img["src"] == "https://img.example/map.png"
    assert img["loading"] == "lazy" and img["referrerpolicy"] == "no-referrer"
    assert broken_links(root / "_site") == []


def test_link_map_is_part_of_the_memo_key(tmp_path):
    root = _links_site(tmp_path)
    cfg = load_config(root)
    build(cfg, jobs=1)
    target_before = (root / "_site/a/target.html").read_bytes()
    # A new article at the URL the source links to: the source page must now link locally.
    make_site(root, {"a/later.md": md("后来收录的文章", "这篇文章后来才被镜像进来，它的开头与其他文章都不一样，足够长。",
                                       date="2025-01-01", url="https://news.example/a/later.html")})
    report = build(cfg, jobs=1)
    body = soup_of(root / "_site/a/source.html").select_one(".article-body")
    assert body.find("a", string="尚未收录")["href"] == "later.html"
    assert (root / "_site/a/target.html").read_bytes() == target_before
    assert report.rendered < 12  # the pages that show the new article, not the whole site


@pytest.mark.parametrize("mode", ["link", "drop"])
def test_image_modes(tmp_path, mode):
    root = _links_site(tmp_path, images=mode)
    build(load_config(root), jobs=1)
    body = soup_of(root / "_site/a/source.html").select_one(".article-body")
    assert body.find("img") is None
    link = body.find("a", href="https://img.example/map.png")
    assert (link is not None) == (mode == "link")
    if link is not None:
        assert link.get_text() == "地图"


def test_duplicates_become_redirects(tmp_path):
    text = "临澜市政府今天宣布，新的跨江大桥将于明年通车，这座大桥全长三公里，是本市最大的交通工程。"
    trad = "臨瀾市政府今天宣布，新的跨江大橋將於明年通車，這座大橋全長三公里，是本市最大的交通工程。"
    pages = {
        "news/bridge.md": md("临澜跨江大桥明年通车", text, url="https://news.example/news/bridge.html"),
        "b5/bridge.md": md("臨瀾跨江大橋明年通車", trad, url="https://news.example/b5/bridge.html"),
        "news/copy/bridge-2.md": md("临澜跨江大桥明年通车", text),
        "news/other.md": md("另一篇", "这是完全不同的另一篇文章，开头也不一样，所以不会被当成重复的文章处理。"
                            "[桥](https://news.example/b5/bridge.html)"),
    }
    root = make_site(tmp_path, pages, "search = false\n")
    report = build(load_config(root), jobs=1)
    out = root / "_site"
    assert report.articles == 2
    assert sorted(p for p, kind, _ in report.skipped if kind == "duplicate") == ["b5/bridge.md", "news/copy/bridge-2.md"]
    for dup, href in (("b5/bridge.html", "../news/bridge.html"), ("news/copy/bridge-2.html", "../bridge.html")):
        soup = soup_of(out / dup)
        assert soup.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={href}"
        assert soup.find("a")["href"] == href
    titles = [a.get_text() for a in soup_of(out / "index.html").select(".entries h2 a")]
    assert sorted(titles) == ["临澜跨江大桥明年通车", "另一篇"]
    # a link to the dropped twin's original URL goes to the copy kept
    assert soup_of(out / "news/other.html").find("a", string="桥")["href"] == "bridge.html"
    assert broken_links(out) == []


# --- search index -----------------------------------------------------------------------------
def test_search_index_is_staged_reused_and_kept_on_failure(tmp_path):
    root = small_site(tmp_path, n=3)
    cfg = load_config(root)
    build(cfg, jobs=1)
    out = root / "_site"
    index = sorted(p.relative_to(out).as_posix() for p in (out / "pagefind").rglob("*") if p.is_file())
    assert "pagefind/pagefind-ui.js" in index and any(p.endswith(".pf_meta") for p in index)
    again = build(cfg, jobs=1)
    assert again.written == 0 and again.removed == 0  # reused, not pruned
    page = root / "content/bnews/cbnews/20240101/100000.html"
    page.write_text(page.read_text(encoding="utf-8").replace("测试文章0", "独一无二的新标题"), encoding="utf-8")
    bump_mtime(page)
    (root / "templates").mkdir()
    (root / "templates/list.html").write_text("{% extends 'base.html' %}{% block main %}{{ oops( }}{% endblock %}",
                                              encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(BuildError):
        build(cfg, jobs=1)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    shutil.rmtree(root / "templates")
    third = build(cfg, jobs=1)
    after = sorted(p.relative_to(out).as_posix() for p in (out / "pagefind").rglob("*") if p.is_file())
    assert third.written > 1 and after != index  # the index follows the content, old parts pruned
    assert not (root / ".sitegen/pagefind").exists()


# --- reproducible -----------------------------------------------------------------------------
def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path, published):
    root = demo_copy(tmp_path / "again", f'base_url = "{BASE}"\nimages = "link"\n')
    build(load_config(root), jobs=1)
    a, b = _tree(published), _tree(root / "_site")
    assert sorted(a) == sorted(b)
    differ = [p for p in a if a[p] != b[p]]
    assert differ == []


# --- the site over real HTTP under a sub-path ------------------------------------------------
@pytest.fixture(scope="module")
def served(published, tmp_path_factory):
    """The output served by a plain static server on 127.0.0.1 under /mirror/."""
    docroot = tmp_path_factory.mktemp("docroot")
    (docroot / "mirror").symlink_to(published, target_is_directory=True)
    handler = partial(_QuietHandler, directory=str(docroot))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/mirror/"
    server.shutdown()
    server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read(), r.headers.get_content_type()
    except HTTPError as e:
        return e.code, b"", ""


def test_crawl_every_page_under_a_sub_path(served, published):
    start = served + "index.html"
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(served))
    pages = [served + quote(p.relative_to(published).as_posix()) for p in html_files(published)
             if p.name != "404.html"]
    seen: set[str] = set()
    queue = [start, *pages]
    broken = []
    fetched_pages = 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, data, ctype = _get(url)
        if status != 200:
            broken.append(url)
            continue
        if ctype != "text/html":
            continue
        fetched_pages += 1
        soup = BeautifulSoup(data, "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or ref.startswith("#"):
                continue
            target = urljoin(url, ref).split("#", 1)[0]
            if target.startswith(origin):
                assert target.startswith(served), f"{url} links outside the site's sub-path: {ref}"
                queue.append(target)
    assert broken == []
    assert fetched_pages >= len(pages)
    # the search page's own assets are there too
    assert _get(served + "pagefind/pagefind-ui.js")[0] == 200
    # a missing page: the 404 page's links start from the sub-path
    soup = BeautifulSoup((published / "404.html").read_bytes(), "html.parser")
    assert all(a["href"].startswith("/mirror/") for a in soup.select("nav a"))
