"""`sitegen serve` end to end in a real headless browser (Debian's chromium, driven by Playwright):
the open page follows content, template and CSS edits, failed builds and deletions by itself."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sitegen.serve import Preview

from serve_helpers import ARTICLE, ARTICLE_URL, retitle, serve_site, set_article_template, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


@pytest.fixture
def site(tmp_path) -> Path:
    return serve_site(tmp_path / "site")


@pytest.fixture
def preview(site):
    with Preview(site, port=0, jobs=1, log=lambda _: None) as p:
        yield p


def open_article(page, preview) -> str:
    url = preview.url + ARTICLE_URL.lstrip("/")
    page.goto(url)
    page.wait_for_function("() => window.EventSource !== undefined")
    page.evaluate("window.__marker = 42")  # gone after any reload
    return url


def h1_is(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').textContent === t", arg=text)


def test_page_reloads_after_a_content_edit(page, preview, site):
    open_article(page, preview)
    assert page.locator("h1").text_content() == "测试文章0"
    retitle(site, "测试文章0", "内容改了")
    h1_is(page, "内容改了")
    assert page.evaluate("window.__marker") is None


def test_page_reloads_after_a_template_edit(page, preview, site):
    open_article(page, preview)
    assert page.locator(".marker").text_content() == "v1"
    set_article_template(site, "v2")
    page.wait_for_function("() => document.querySelector('.marker').textContent === 'v2'")
    assert page.evaluate("window.__marker") is None


def test_page_reloads_after_an_atomic_save(page, preview, site):
    open_article(page, preview)
    retitle(site, "测试文章0", "原子保存", atomic=True)
    h1_is(page, "原子保存")
    assert page.evaluate("window.__marker") is None


def test_css_edit_swaps_the_stylesheet_without_navigation(page, preview, site):
    navigations: list[str] = []
    open_article(page, preview)
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    color = "() => getComputedStyle(document.querySelector('h1')).color"
    assert page.evaluate(color) == "rgb(1, 2, 3)"
    (site / "templates/static/style.css").write_text("h1 { color: rgb(200, 30, 40); }\n", encoding="utf-8")
    page.wait_for_function(f"() => ({color})() === 'rgb(200, 30, 40)'")
    assert page.evaluate("window.__marker") == 42 and navigations == []
    assert page.locator('link[rel="stylesheet"]').count() == 1  # the old one was removed


def test_template_error_shows_an_overlay_and_the_page_recovers(page, browser, preview, site):
    open_article(page, preview)
    set_article_template(site, "", text='{% extends "base.html" %}\n{% block main %}\n<h1>{{ article.title }</h1>\n{% endblock %}\n')
    overlay = page.locator("#sitegen-error")
    overlay.wait_for(state="visible")
    assert re.search(r"templates/article\.html:3: TemplateSyntaxError", overlay.text_content())
    assert page.locator("h1").first.text_content() == "测试文章0"  # the last good page, not reloaded
    assert page.evaluate("window.__marker") == 42
    # a page opened while the build is broken shows the error at once, over the last good page
    other = browser.new_page()
    try:
        other.goto(preview.url)
        other.locator("#sitegen-error").wait_for(state="visible", timeout=TIMEOUT_MS)
    finally:
        other.close()
    set_article_template(site, "fixed")
    page.wait_for_function("() => document.querySelector('.marker') && document.querySelector('.marker').textContent === 'fixed'")
    assert overlay.count() == 0 and page.evaluate("window.__marker") is None


def test_deleted_article_turns_404(page, preview, site):
    url = open_article(page, preview)
    title = re.search(r"<title>(.*?)</title>", (site / "_site/404.html").read_text(encoding="utf-8"), re.S).group(1)
    with page.expect_response(lambda r: r.url == url, timeout=TIMEOUT_MS) as response:
        (site / "content" / ARTICLE).unlink()
    assert response.value.status == 404
    page.wait_for_function("t => document.title === t", arg=title)


def test_a_page_that_missed_a_build_reloads_when_it_reconnects(page, preview, site):
    hits: list[str] = []

    def stalled(route):  # the events stream answers but never delivers a build: a lost connection
        hits.append(route.request.url)
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body="retry: 100\n\n")

    page.route("**/__sitegen/events", stalled)
    open_article(page, preview)
    before = preview.state.status.id
    retitle(site, "测试文章0", "错过的构建")
    wait_until(lambda: preview.state.status.id != before, what="the build")
    # route handlers run while Playwright has control: poll through it
    wait_until(lambda: page.wait_for_timeout(20) or len(hits) >= 2, what="reconnection attempts")
    assert page.locator("h1").text_content() == "测试文章0" and page.evaluate("window.__marker") == 42
    page.unroute("**/__sitegen/events")
    h1_is(page, "错过的构建")
    assert page.evaluate("window.__marker") is None
    for f in (site / "_site").rglob("*.html"):
        assert "sitegen-build" not in f.read_text(encoding="utf-8"), f


def test_reload_does_not_wait_for_the_search_index_and_the_index_follows(page, browser, site, monkeypatch):
    """Search on: the page reloads while Pagefind has not even started; the index step follows and
    then finds the new article, and an index-only change does not reload the page a second time."""
    import threading

    import sitegen.search as search
    from serve_helpers import wp_page

    gate = threading.Event()
    gate.set()  # the first build indexes synchronously, as `sitegen build` does
    runs: list[float] = []
    real = search._run_pagefind

    def gated(*args, **kwargs):
        runs.append(1)
        assert gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "_run_pagefind", gated)
    with Preview(site, port=0, jobs=1, search=True, log=lambda _: None) as preview:
        assert len(runs) == 1 and (site / "_site/pagefind/pagefind-ui.js").is_file()
        index = {p: p.stat().st_mtime_ns for p in (site / "_site/pagefind").rglob("*") if p.is_file()}
        open_article(page, preview)
        gate.clear()
        new = "bnews/cbnews/20240109/100009.html"
        (site / "content" / new).parent.mkdir(parents=True, exist_ok=True)
        (site / "content" / new).write_text(wp_page("天文台观测新彗星", ["公共"]), encoding="utf-8")
        retitle(site, "测试文章0", "先刷新后索引")
        h1_is(page, "先刷新后索引")  # reloaded, with Pagefind held back
        assert page.evaluate("window.__marker") is None
        assert preview.rebuilder.building and not gate.is_set()
        assert {p: p.stat().st_mtime_ns for p in index if p.exists()} == index  # the old index, untouched
        page.evaluate("window.__marker = 43")
        reloads = preview.state.status.id
        gate.set()
        assert preview.rebuilder.wait_idle(30) and len(runs) == 2
        assert not preview.site.index_stale
        page.wait_for_timeout(300)
        assert page.evaluate("window.__marker") == 43 and preview.state.status.id == reloads  # no second reload
        assert {p: p.stat().st_mtime_ns for p in (site / "_site/pagefind").rglob("*") if p.is_file()} != index
        search_page = browser.new_page()
        try:
            search_page.goto(preview.url + "search/index.html", wait_until="networkidle")
            search_page.fill(".pagefind-ui__search-input", "天文台")
            search_page.locator(".pagefind-ui__result-link", has_text="天文台观测新彗星").first.wait_for(timeout=TIMEOUT_MS)
        finally:
            search_page.close()
