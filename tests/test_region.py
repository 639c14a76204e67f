"""A profile's region (sitegen.region): the page cut to its head and one div must give that div
the very subtree the whole page's parse gives it, or not be cut at all; and a cleaned record must
not depend on whether the page was cut."""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import re
from pathlib import Path

import pytest
from lxml import etree

from sitegen import clean as C
from sitegen import extract as X
from sitegen import region as R
from sitegen.decode import decode
from sitegen.errors import ConfigError
from sitegen.profiles import Profiles, parse_profile

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "pages"


def _pages() -> list[Path]:
    found = sorted((ROOT / "tests" / "pages").glob("*.html")) + sorted((ROOT / "content").rglob("*.html"))
    if CORPUS.is_dir():
        found += sorted(CORPUS.glob("*.html"))
    return found


@pytest.fixture(scope="module")
def bench_pages(tmp_path_factory) -> list[Path]:
    """Pages of the benchmark's generator: the seed site's markup in full-page chrome."""
    spec = importlib.util.spec_from_file_location("make_pages", ROOT / "bench" / "make_pages.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path_factory.mktemp("bench")
    mod.generate(12, out, seed=7, only=("html",))
    pages = sorted(p for p in out.rglob("*.html"))
    assert len(pages) >= 12
    return pages


def _text(path: Path) -> str:
    return decode(path.read_bytes()).text


def _regions(root) -> list[R.Region]:
    """A region for every div of the page with a class or an id (its first class, or its id)."""
    out, seen = [], set()
    for el in root.iter("div"):
        cls, ident = (el.get("class") or "").split(), el.get("id")
        for sel in ([f"div.{cls[0]}"] if cls else []) + ([f"div#{ident}"] if ident else []):
            reg = R.parse_region(sel)
            if reg is not None and sel not in seen:
                seen.add(sel)
                out.append(reg)
    return out


def _first(root, reg: R.Region):
    for el in root.iter("div"):
        toks = (el.get("class") or "").split()
        if all(c in toks for c in reg.classes) and (reg.id is None or el.get("id") == reg.id):
            return el
    return None


def _same_as_whole(text: str, reg: R.Region) -> bool | None:
    """None when the page is not cut; else whether the cut gives the region (and the head's
    metadata) exactly as the whole page's parse does."""
    got = R.cut(text.encode(), reg)
    if got is None:
        return None
    part = X.parse_utf8(got[0])
    el = R.check(part, reg)
    if el is None:
        return None  # the parser disagreed with the scanner: the page is parsed whole
    whole = X.parse_html(text)
    ref = _first(whole, reg)
    assert ref is not None, f"{reg.selector}: cut found a region the whole page does not have"
    assert etree.tostring(el, with_tail=False) == etree.tostring(ref, with_tail=False), reg.selector
    a, b = X.read_meta(part, text), X.read_meta(whole, text)
    assert (a.url, a.meta, a.jsonld, a.title_tag, a.lang) == (b.url, b.meta, b.jsonld, b.title_tag, b.lang)
    return True


def test_every_div_of_every_page_cuts_exactly_or_not_at_all(bench_pages):
    cut = 0
    for path in _pages() + bench_pages[:4]:
        text = _text(path)
        for reg in _regions(X.parse_html(text)):
            cut += bool(_same_as_whole(text, reg))
    assert cut > 50  # the property was checked on many regions, not vacuously


# Snippets a mirrored page may hold, which the scanner must read as the HTML tokenizer and
# libxml2's tree builder do (or give up on)
NASTY = [
    '<!-- <div class="post"> -->', "<!-- </div> -->", "<!-->", "<!--->", "<!-- a --!> b",
    "<script>var s = '<div class=\"post\">' + '</div>';</script>", "<SCRIPT>if (a < b) x('</div>')</SCRIPT>",
    "<style>div > p { }</style>", "<textarea><div class=post></div></textarea>", "<title>x</div></title>",
    "<div>", "</div>", "<div/>", "<div class=post/>", "<DIV CLASS='post'>", "</DIV >", "<p>", "</p>",
    "</span>", "<table><tr><td>", "</td>", "</table>", "<a title=\"x>y<div>\">t</a>", "<a href=x=\"y>z\">",
    "<![CDATA[ <div> ]]>", "<?php echo '<div>'; ?>", "</ div>", "<b class=\"post\">", "<noscript><div></noscript>",
    "<iframe><div></iframe>", "<xmp></div></xmp>", "< div>", "<div\nclass=\"post extra\"\n>", "<br/>",
    '<meta name="x" content="y">', '<script type="application/ld+json">{"@type": "NewsArticle"}</script>',
    '<a="x>y<div>">', '<a ="x>y<div>">', '<a b"c="d>e<div>">', "<a b='c\"d' e=\"f'g<div>\">", "<a b=c'd e=\"f><div>\">",
    "<a b= ><div>", "<a b=>", "<p/ class=\"x>\">", "<plaintext>", "<body class=x>", "<svg><div></div></svg>", "<form><div>", "</form>", "<li>", "<ul><li>x",
]


def test_mutated_pages_cut_exactly_or_not_at_all(bench_pages):
    rnd = random.Random(4)
    texts = [_text(p) for p in bench_pages[:4] + [p for p in _pages() if "bannedbook" in p.read_text("utf-8", "replace")][:4]]
    reg = R.parse_region("div.post")
    outcomes = {True: 0, None: 0}
    for i in range(400):
        text = rnd.choice(texts)
        body = text.find("<body")
        for _ in range(rnd.randint(1, 3)):
            # positions between tags, mostly around the post (where a snippet changes the cut)
            tags = [m.start() for m in re.finditer("<", text)][1:]
            post = text.find('class="post"')
            near = [t for t in tags if body < t and abs(t - post) < 4000] or tags
            at = rnd.choice(near)
            text = text[:at] + rnd.choice(NASTY) + text[at:]
        outcomes[_same_as_whole(text, reg)] += 1
    assert outcomes[True] > 100 and outcomes[None] > 20, outcomes


def test_every_snippet_around_and_inside_the_region(bench_pages):
    """Each snippet above, put in the navigation before the region, just inside its start tag, in
    its middle and just before its end tag: cut exactly or not at all, and cut for most."""
    text = _text(bench_pages[0])
    reg = R.parse_region("div.post")
    data = text.encode()
    s, e = R.find(data, R.body_tag_end(data), reg)
    s, e = len(data[:s].decode()), len(data[:e].decode())
    inner = text.index(">", s) + 1
    middle = text.index("<p", (inner + e) // 2)
    places = [text.rindex("<li", 0, s), inner, middle, e - len("</div>")]
    cut = 0
    for snippet in NASTY:
        for at in places:
            page = text[:at] + snippet + text[at:]
            cut += bool(_same_as_whole(page, reg))
            # the scanner reads the page as the parser does: where it cuts, the parser closes the
            # region where it said (a wrong scanner is caught by check, but costs a second parse)
            got = R.cut(page.encode(), reg)
            assert got is None or R.check(X.parse_utf8(got[0]), reg) is not None, (snippet, at)
    assert cut > len(NASTY) * len(places) // 2


def _without_regions(profiles: Profiles) -> Profiles:
    return Profiles(tuple(dataclasses.replace(p, region="") for p in profiles))


def test_records_do_not_depend_on_the_cut(bench_pages):
    profiles = C.load_profiles()
    assert profiles.regional is not None
    whole = _without_regions(profiles)
    cut = 0
    for path in bench_pages + _pages():
        data = path.read_bytes()
        a = C.clean_bytes(data, rel_path=path.name, profiles=profiles)
        b = C.clean_bytes(data, rel_path=path.name, profiles=whole)
        assert (a.kind, a.reason, a.warnings, a.record) == (b.kind, b.reason, b.warnings, b.record), path
        cut += any("parsed the head and the region" in line for line in a.explain)
    assert cut >= len(bench_pages)  # every bench page was cut


def _page(head: str = "", before: str = "", post: str = "", after: str = "") -> bytes:
    post = post or ('<h2>标题在这里</h2><div class="entry"><p>' + "正文内容。" * 40 + "</p></div>"
                    '<p class="src-info">来源：大纪元</p>')
    return (f'<html><head><link rel="canonical" href="https://www.bannedbook.org/bnews/a/20200101/1.html">{head}'
            f'</head><body class="single"><div class="nav">{before}</div><div class="post">{post}</div>'
            f'<div class="side">{after}</div></body></html>').encode()


def _both(data: bytes):
    profiles = C.load_profiles()
    return (C.clean_bytes(data, rel_path="p.html", profiles=profiles),
            C.clean_bytes(data, rel_path="p.html", profiles=_without_regions(profiles)))


def test_a_page_is_cut_and_says_so():
    a, b = _both(_page())
    assert a.kind == "article" and a.record == b.record
    assert any("parsed the head and the region 'div.post' only" in line for line in a.explain)
    assert a.record.title == "标题在这里" and a.record.source == "大纪元"


@pytest.mark.parametrize("page, why", [
    # the title is outside the region: the whole page is parsed, as the profile reads it there
    (_page(post='<div class="entry"><p>' + "正文。" * 40 + "</p></div>", before="<h2>外面的标题</h2>"), "no title"),
    # metadata in the discarded part of the page
    (_page(after='<meta property="article:published_time" content="2020-02-02">'), None),
    (_page(after='<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2020-03-03"}</script>'), None),
    # a table tag in the region (it may close the region): never cut
    (_page(post='<h2>标题</h2><table><tr><td><div class="entry"><p>' + "正文。" * 40 + "</p></div></td></tr></table>"), None),
    # no body element in the region
    (_page(post="<h2>标题</h2><p>" + "正文。" * 40 + "</p>"), "no body element"),
])
def test_pages_that_cannot_be_cut_are_parsed_whole(page, why):
    a, b = _both(page)
    assert (a.kind, a.reason, a.record) == (b.kind, b.reason, b.record)
    assert not any("parsed the head and the region" in line for line in a.explain)
    if why:
        assert any(why in line and "parsing the whole page" in line for line in a.explain), a.explain


def test_a_page_of_another_site_with_the_same_div_is_parsed_whole():
    # another site's page that links to the profile's site (so it is scanned for the region), with
    # no markup signature of the profile in the region: the profile may claim the whole page (by a
    # signature outside the region), so the whole page is parsed
    link = '<a href="https://www.bannedbook.org/x.html">x</a>'
    page = _page(post='<h2>标题</h2><div class="entry"><p>' + "正文。" * 40 + "</p></div>",
                 after=f'<p class="src-info">来源：别处</p>{link}').replace(b"www.bannedbook.org/bnews", b"example.com/bnews")
    a, b = _both(page)
    assert (a.kind, a.record) == (b.kind, b.record)
    assert any("does not claim the head and region alone" in line for line in a.explain)
    assert any("claims the page: markup signature div.entry + p.src-info" in line for line in a.explain)
    # with its signature inside the region, the cut is claimed (a signature found in the region
    # is found in the whole page)
    page = _page(after=link).replace(b"www.bannedbook.org/bnews", b"example.com/bnews")
    a, b = _both(page)
    assert (a.kind, a.record) == (b.kind, b.record)
    assert any("parsed the head and the region" in line for line in a.explain)


def test_a_page_that_never_names_the_profiles_site_is_not_scanned(monkeypatch):
    scanned = []
    monkeypatch.setattr(R, "cut", lambda data, region, folded=None: scanned.append(1))
    a, b = _both(_page().replace(b"www.bannedbook.org", b"example.com"))
    assert (a.kind, a.record) == (b.kind, b.record) and a.kind == "article"
    assert not scanned
    _both(_page())
    assert scanned


@pytest.mark.parametrize("value", ["p.post", "div", "div.post a", ".post", "div[id=x]", "div#a#b", 3, ["div.post"]])
def test_a_region_must_be_one_div_with_classes_or_an_id(value):
    data = {"name": "x", "match": {"hosts": ["x.org"]}, "region": value, "fields": {"body": ["div.e"]}}
    with pytest.raises(ConfigError, match="region"):
        parse_profile(data, "x.toml")


def test_region_selectors():
    r = R.parse_region("div#main.post.big")
    assert (r.id, r.classes) == ("main", ("post", "big"))
    assert r.matches(b' id="main" class="x big post"') and not r.matches(b' id="main" class="post"')
    assert not r.matches(b' class="post big" data-id="main"')
    # the first of a repeated attribute counts, as in HTML
    assert not R.parse_region("div.post").matches(b' class="a" class="post"')
    assert R.parse_region("div.文章").matches(' class="x 文章"'.encode())
