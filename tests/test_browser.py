"""The built site in a real headless browser (Debian's chromium driven by Playwright): it loads
from file:// with no failed request, every request goes to the site's own origin, a Chinese
query finds the right article, and screenshots at phone and desktop widths."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from sitecheck import html_files
from test_publish import published, served  # noqa: F401  (pytest fixtures: the demo site, served)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("SITEGEN_SCREENSHOTS", Path(__file__).parent / "screenshots"))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _record(page):
    requests, failed = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    return requests, failed


def test_every_page_loads_from_file_url_without_failed_requests(browser, published):
    page = browser.new_page()
    requests, failed = _record(page)
    # 404.html is the one page a host serves at other paths: its links start from base_url's path.
    pages = [p for p in html_files(published) if p.name != "404.html"]
    assert len(pages) > 40
    for path in pages:
        page.goto(path.as_uri(), wait_until="load")
    assert failed == []
    assert all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file://")][:5]
    page.close()


def _article_and_tag(published: Path) -> tuple[str, str]:
    return "bnews/p6/20240603/880003.html", "tags/" + quote("发布") + "/index.html"


def test_requests_stay_on_the_site_and_search_finds_chinese(browser, served, published):
    origin = served.split("/mirror/")[0] + "/"
    article, tag = _article_and_tag(published)
    page = browser.new_page()
    requests, failed = _record(page)
    for rel in ("index.html", article, tag):
        page.goto(served + rel, wait_until="networkidle")
    page.goto(served + "search/index.html", wait_until="networkidle")
    page.fill(".pagefind-ui__search-input", "量子计算机")
    result = page.locator(".pagefind-ui__result-link", has_text="松岩大学量子计算机首次运行")
    result.first.wait_for(timeout=15000)
    href = result.first.get_attribute("href")
    assert href.startswith("/mirror/") and href.endswith("quantum.html")
    page.wait_for_load_state("networkidle")
    result.first.click()
    page.wait_for_url("**/quantum.html", timeout=10000)
    assert page.locator("h1").inner_text() == "松岩大学量子计算机首次运行"
    assert failed == []
    foreign = [u for u in requests if not u.startswith(origin)]
    assert foreign == []
    assert any("/pagefind/" in u for u in requests)  # the index really was fetched, from the site
    page.close()


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)])
def test_screenshots_and_no_horizontal_overflow(browser, served, published, width, height):
    SHOTS.mkdir(parents=True, exist_ok=True)
    article, tag = _article_and_tag(published)
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    for name, rel in (("home", "index.html"), ("article", article), ("tag", tag)):
        page.goto(served + rel, wait_until="networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width}px"
        shot = SHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5000
    print(f"screenshots in {SHOTS}")
    context.close()
