"""sanitize's own writing of a plain fragment (sanitize._plain) gives what nh3 gives for it: on
generated fragments in and just outside the form it takes (nesting, references, characters the
parser or serialiser changes, links whose URL ammonia drops), and on the bodies the cleaner writes
for the test pages; and it takes the common bodies (else it would save nothing)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import sitegen.clean as C
from sitegen import sanitize as S

BASES = [None, "https://www.example.org/news/2024/01/page.html", "http://bannedbook.org/bnews/a/1.html",
         "ftp://example.org/x"]

HREFS = [
    "https://example.com/", "http://example.com", "https://example.com/a?b=1&c=2#d", "https://EXAMPLE.com/A",
    "https://sub.example.co.uk/path/to/page.html", "/relative/path", "relative.html", "../up.html", "#frag",
    "", "  https://example.com/x  ", "//cdn.example.com/x", "javascript:alert(1)", "mailto:a@example.com",
    "data:text/html,x", "http://1.2.3.4/", "http://a.b.123/", "http://a.b.0x1f/", "http://xn--abc.com/",
    "http://xn--fiqs8s.cn/", "http://a-.com/", "http://-a.com/", "http://a..b/", "http://a.com./",
    "http://a.com:8080/", "http://user@a.com/", "http://[::1]/", "https://a.com/x y", "https://a.com/ü",
    "https://例子.cn/", "https://a.com/\xa0", "https://a.com/'q'", 'https://a.com/"q"', "https://a.com/<x>",
    "https://a.com/%zz", "https://a.com/a\\b", "HTTP://A.COM/", "https://a.com/`^{|}", "http:/a.com",
    "http://", "https://a.com/\tx", "https://a.com/x\ny", "vbscript:x", "https://a_b.com/",
]

TEXTS = ["", "text", " ", "\n", "中文字符 测试", "a &amp; b", "&lt;x&gt;", "&quot;", "&#x27;", "&amp",
         "& b", "\xa0", "\u3000全角", "tab\there", "cr\rhere", "nul\x00", "ff\x0c", "c1\x85", "bom\ufeff",
         "\ufffe", "zwsp\u200b", "emoji 😀", "a > b", "'quoted' \"double\"", "\ufdd0", "\U0001fffe",
         "\ue000", "\u2028", "\xad", "\ufffd", "\x7f", "\x9f", "\ud800"]

FLOW = ["p", "h2", "h3", "h4", "ul", "ol", "blockquote", "li"]
PHRASING = ["strong", "em", "code", "sub", "sup", "a", "br"]
OTHER = ["b", "i", "span", "div", "img", "table", "pre", "h1", "P", "script"]


def _attr(s: str) -> str:
    import html
    return html.escape(s, quote=True)


def _fragment(rnd: random.Random, depth: int = 0, inline: bool = False, in_list: bool = False) -> str:
    parts = []
    for _ in range(rnd.randint(0, 4)):
        r = rnd.random()
        if r < 0.3 or depth > 3:
            t = rnd.choice(TEXTS)
            if rnd.random() < 0.8:
                t = t.replace("&", "&amp;").replace("<", "&lt;") if "&amp;" not in t and "&lt;" not in t else t
            parts.append(t)
            continue
        if rnd.random() < 0.03:
            parts.append(rnd.choice(["<br>", "<br/>", "<a>", "</p>", "<p >", "<!--c-->", "<", "<p class=\"x\">",
                                     "<a href=\"x\" title=\"t\">", "</a href=\"x\">", "<strong href=\"x\">"]))
            continue
        if in_list and rnd.random() < 0.8:
            tag = "li"
        elif inline and rnd.random() < 0.9:
            tag = rnd.choice(PHRASING)
        else:
            tag = rnd.choice(FLOW + PHRASING + OTHER if rnd.random() < 0.2 else FLOW + PHRASING)
        if tag == "br":
            parts.append("<br>")
            continue
        inner = _fragment(rnd, depth + 1, inline=inline or tag not in ("ul", "ol", "blockquote", "li"),
                          in_list=tag in ("ul", "ol"))
        open_ = f'<a href="{_attr(rnd.choice(HREFS))}">' if tag == "a" else f"<{tag}>"
        close = "" if rnd.random() < 0.03 else f"</{tag}>"
        parts.append(open_ + inner + close)
    return "".join(parts)


def _nh3(html: str, base: str | None) -> str:
    return S._nh3(html, S._resolver(base))


def _outcome(f, *args):
    """What a call gives, or the type of what it raises (nh3 refuses a lone surrogate)."""
    try:
        return f(*args)
    except Exception as e:
        return type(e)


def test_generated_fragments():
    rnd = random.Random(7)
    taken = 0
    for i in range(6000):
        html = _fragment(rnd)
        if rnd.random() < 0.5:
            html = "\n".join(f"<p>{_fragment(rnd, 1, inline=True)}</p>" for _ in range(rnd.randint(1, 4)))
        base = rnd.choice(BASES)
        fast = S._plain(html, S._resolver(base))
        if fast is not None:
            taken += 1
            assert fast == _nh3(html, base), (html, base)
        assert _outcome(S.sanitize, html, base) == _outcome(_nh3, html, base), (html, base)
    assert taken > 1000  # (the form is met often enough for the comparison to mean something)


@pytest.mark.parametrize("href", HREFS)
@pytest.mark.parametrize("base", BASES)
def test_every_href(href, base):
    for html in (f'<p>x <a href="{_attr(href)}">link</a> y</p>', f'<a href="{_attr(href)}"></a>'):
        assert S.sanitize(html, base) == _nh3(html, base), (html, base)


@pytest.mark.parametrize("html", [
    "<p>a</p><p>b</p>", "<p><p>a</p></p>", "<p><ul><li>a</li></ul></p>", "<li>a</li>", "<ul><p>a</p></ul>",
    "<ul><li><p>a</p><ul><li>b</li></ul></li></ul>", "<strong><strong>a</strong></strong>",
    "<em><p>a</p></em>", "<h2><h3>a</h3></h2>", "<blockquote><h2>a</h2><p>b</p></blockquote>",
    "<a href=\"https://a.com/\"><a href=\"https://b.com/\">x</a></a>", "<p>a", "a</p>", "<ul><li>a</ul>",
    "<strong><em>a</strong></em>", "<p>a\xa0b</p>", "<p>\u3000a</p>", "<p>a\rb</p>", "<ol><li>a</li></ol>",
    "<p><code>x &lt; y</code><sub>1</sub><sup>2</sup></p>", "<h4>t</h4>\n<p>x</p>", "", "\n", "<br>",
])
def test_structures(html):
    for base in BASES[:2]:
        assert S.sanitize(html, base) == _nh3(html, base)


def test_the_bodies_of_the_test_pages_and_their_form():
    bodies = []

    def record(html, base_url=None):
        bodies.append((html, base_url))
        return _nh3(html, base_url)

    pages = sorted(Path(__file__).parent.joinpath("pages").rglob("*.html"))
    assert pages
    profiles = C.load_profiles()
    orig = C.sanitize
    C.sanitize = record
    try:
        for p in pages:
            C.clean_bytes(p.read_bytes(), rel_path=p.name, profiles=profiles)
    finally:
        C.sanitize = orig
    taken = 0
    for html, base in bodies:
        fast = S._plain(html, S._resolver(base))
        if fast is not None:
            taken += 1
            assert fast == _nh3(html, base), html
    assert taken >= len(bodies) // 2, (taken, len(bodies))
