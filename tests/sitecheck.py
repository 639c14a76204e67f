"""Checks on a built site shared by the tests: link resolution, scripts, structure."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup


def html_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html"))


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def local_links(out: Path, page: Path):
    """Yield (attribute value, resolved target path) of every same-site link/asset in a page."""
    soup = soup_of(page)
    for tag in soup.find_all(True):
        for attr in ("href", "src"):
            val = tag.get(attr)
            if not val:
                continue
            parts = urlsplit(val)
            if parts.scheme or parts.netloc or val.startswith("#"):
                continue
            if page.name == "404.html" and parts.path.startswith("/"):
                target = out / unquote(parts.path).lstrip("/")
            else:
                target = (page.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            yield val, target


def broken_links(out: Path) -> list[str]:
    bad = []
    for page in html_files(out):
        for val, target in local_links(out, page):
            if not target.is_file():
                bad.append(f"{page.relative_to(out)} -> {val}")
            elif not target.resolve().is_relative_to(out.resolve()):
                bad.append(f"{page.relative_to(out)} -> {val} (outside the site)")
    return bad
