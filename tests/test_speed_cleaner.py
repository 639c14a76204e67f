"""The cleaner's speed work keeps its behaviour: the page index's shortcuts (attribute-filtered
candidates, selectors answered from the step before the last one down) select what XPath selects,
on pages big enough to take them, before and after drops and unwraps."""

from __future__ import annotations

import random
import re

from sitegen import extract as X
from sitegen.profiles import PageIndex, select

# selectors whose last step has many candidates on the pages below (every link, every span,
# every element) and whose step before has few: the index answers them from that step down
SELECTORS = [
    "span.kw a", 'span[class^="wp_kw"] a', "span.kw > a", "div.post span.kw a", "div.post > p > a",
    "p.lead a", "p.lead > a", "#main a", "#main > p", "div.box *", "div.box > *", "li.x a",
    "span.kw a, p.lead a", "div.post a[rel~=tag]", "a[rel~=tag]", "a[name=top]", 'a[href^="http"]',
    "div.post a", "div p a", "p a", "ul li a", "span.kw ~ a", "span.kw + a", "div.none a",
    "div.box span", "body a", "a", "span", "[rel]", "a[rel]", "a[title]", "div[id] a", "div.n a",
    "div.n > a", "div.n div.n a",
]


def _page(seed: int, n_links: int = 120) -> str:
    rnd = random.Random(seed)
    paras = []
    for i in range(n_links // 4):
        bits = []
        for j in range(4):
            k = i * 4 + j
            link = f'<a href="{"http://x.org/" if k % 3 else "/rel/"}{k}"{" rel=tag" if k % 7 == 0 else ""}' \
                   f'{" title=t" if k % 5 == 0 else ""}>link {k}</a>'
            r = rnd.random()
            if r < 0.15:
                bits.append(f'<span class="kw wp_kw{k}">{link}</span>')
            elif r < 0.25:
                bits.append(f'<span class="kw"><b>{link}</b> <span class="kw">{link}</span></span>')
            elif r < 0.3:
                bits.append(f'<span class="other">{link}</span>')
            else:
                bits.append(link)
        cls = ' class="lead"' if i % 9 == 0 else ""
        paras.append(f"<p{cls}>text {' and '.join(bits)} end</p>")
    body = "\n".join(paras)
    return (f'<html><head><title>t</title></head><body><a name="top"></a>'
            f'<div id="main" class="post">{body}<div class="box"><span>a</span><a href="#">b</a>'
            f'<div class="box"><p><a>c</a></p></div></div></div>'
            f'<ul><li class="x"><a href="/1">1</a></li><li><a href="/2">2</a></li></ul>'
            f'<div id="other">{"".join(f"<a href=/o{i}>o</a>" for i in range(40))}</div>'
            # nested heads whose subtrees hold more than the shortcut looks at: the slow way
            + '<div class="n">' * 30 + "".join(f"<a href=/n{i}>n</a>" for i in range(40)) + "</div>" * 30
            + "</body></html>")


def _check(root, index, phase):
    scopes = [root] + [e for e in root.iter("div", "body", "p")][:6]
    for scope in scopes:
        if scope is not root and not index._under(scope, root):
            continue
        for sel in SELECTORS:
            want = [e for e in select(scope, sel) if index._under(e, scope)]
            assert index.select(scope, sel) == want, (phase, X.describe(scope), sel)


def test_page_index_shortcuts_select_what_xpath_selects():
    for seed in range(4):
        root = X.parse_html(_page(seed))
        index = PageIndex(root)
        assert len(index.by_tag["a"]) > 100  # the shortcuts' threshold is well passed
        _check(root, index, "as parsed")
        rnd = random.Random(seed)
        for el in list(root.iter("span", "b")):
            if rnd.random() < 0.5:
                (X.drop if rnd.random() < 0.3 else X.unwrap)(el)
        _check(root, index, "after drops and unwraps")


def test_class_tokens_split_as_html_does():
    # only ASCII whitespace separates class names: a no-break space or an ideographic space
    # is part of the name, a tab or a newline separates
    html = ('<html><body><p class="a\u00a0b">1</p><p class="c\u3000d e">2</p><p class="f\tg\nh">3</p>'
            '<p class="  i  i  ">4</p><p class="j\x0bk">5</p></body></html>')
    root = X.parse_html(html)
    index = PageIndex(root)
    for sel in (".a", ".b", ".a\u00a0b", ".c\u3000d", ".e", ".f", ".g", ".h", ".i", ".j", ".k"):
        assert index.select(root, sel) == select(root, sel), sel
    assert [p.text for p in index.select(root, ".i")] == ["4"]


def test_read_meta_from_the_index_reads_what_its_walks_read():
    from pathlib import Path

    from sitegen.decode import decode

    pages = sorted((Path(__file__).parent / "pages").glob("*.html"))
    assert pages
    extra = ('<html><head><title>one</title><meta name="description" content=" a  b ">'
             '<link rel="Canonical" href=" https://x.org/a "><script type="application/ld+json">'
             '{"@type": "NewsArticle", "headline": "h"}</script></head><body><svg><title>two</title></svg>'
             '<meta property="og:url" content="https://y.org/b"><link rel="canonical" href="/c"></body></html>')
    for text in [decode(p.read_bytes()).text for p in pages] + [extra]:
        root = X.parse_html(text)
        walked = X.read_meta(root, text)
        indexed = X.read_meta(root, text, PageIndex(root).by_tag)
        assert vars(walked) == vars(indexed)


def _strip_page_reference(root, explain):
    """strip_page as it was written before it read attribute names first (is_hidden, classid)."""
    removed, hidden, comments, kill, shares = {}, 0, 0, [], set()
    css_hidden = X.style_hidden_classes(root)
    ci = None
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            kill.append(el)
            continue
        if tag in X._REMOVE_TAGS:
            kill.append(el)
            removed[tag] = removed.get(tag, 0) + 1
        elif tag not in ("html", "body") and X.is_hidden(el, css_hidden):
            kill.append(el)
            hidden += 1
        elif tag not in ("html", "body") and (ci := X.classid(el)) and X.is_comment_section(el, ci):
            kill.append(el)
            comments += 1
        elif el is not root and X.is_share_bar(el, ci if tag not in ("html", "body") else None):
            p = el.getparent()
            while p is not None and p not in shares:
                p = p.getparent()
            if p is None:
                kill.append(el)
                shares.add(el)
    for el in kill:
        if el.getparent() is not None:
            X.drop(el)
    explain += [removed, hidden, len(shares), comments]


HIDDEN_PAGE = """<html><head><style>.wm{display:none} .x9 {font-size:0}</style></head><body>
<div hidden>a</div><div hidden="">b</div><p style="display: none">c</p><p style="color:red">d</p>
<span class="wm">e</span><div class="x9">short</div><div class="x9">""" + "long " * 30 + """</div>
<span aria-hidden="true">f</span><span aria-hidden="TRUE">""" + "g" * 50 + """</span>
<a aria-hidden="true">h</a><div class="sr-only">i</div><div class="Hidden foo">j</div>
<div id="comments"><p>k</p></div><div class="comment-list">l</div><h1 class="comment">m</h1>
<div class="share-bar"><a>weibo</a></div><div>分享到：<a>微博</a></div><p>分享</p>
<div class="entry" id="post-1"><p>text</p></div><div id="x"><p class="y">z</p></div>
<!-- a comment --><p>tail</p></body></html>"""


def test_strip_page_removes_what_it_removed_before():
    from pathlib import Path

    from lxml import etree

    from sitegen.decode import decode

    texts = [decode(p.read_bytes()).text for p in sorted((Path(__file__).parent / "pages").glob("*.html"))]
    for text in texts + [HIDDEN_PAGE]:
        a, b = X.parse_html(text), X.parse_html(text)
        want, got = [], []
        _strip_page_reference(a, want)
        X.strip_page(b, got)
        assert etree.tostring(a, encoding="unicode") == etree.tostring(b, encoding="unicode")
        removed, hidden, shares, comments = want
        assert (f"removed {hidden} hidden element(s) (display:none / visibility:hidden / hidden)" in got) == bool(hidden)
        assert (f"removed {shares} share bar(s)" in got) == bool(shares)
        assert (f"removed {comments} readers' comment section(s)/item(s)" in got) == bool(comments)
        # the same on a subtree (a profile strips its body element only)
        a, b = X.parse_html(text), X.parse_html(text)
        body_a, body_b = a.find("body"), b.find("body")
        if body_a is not None:
            _strip_page_reference(body_a, [])
            X.strip_page(body_b, None)
            assert etree.tostring(a, encoding="unicode") == etree.tostring(b, encoding="unicode")


def test_norm_ws_is_the_regex_it_replaced():
    import re

    ws = re.compile(r"\s+")
    # re's \s and str.split()'s whitespace: the same code points
    assert [c for c in range(0x110000) if bool(ws.fullmatch(chr(c))) != chr(c).isspace()] == []
    rnd = random.Random(3)
    alphabet = ["a", "中", " ", "\t", "\n", "\u3000", "\xa0", "\u2028", "\x1c", "\x85", "\u200b", "\ufeff", "\r\n"]
    for _ in range(20000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert X.norm_ws(s) == ws.sub(" ", s).strip(), repr(s)
    assert X.norm_ws(None) == ""


def test_hidden_style_is_the_case_insensitive_regex():
    # what hidden_style relies on: re.I matches an ASCII letter only to itself, its other case and
    # the four characters it folds; lower() keeps every other character's length and never makes
    # an ASCII character, whitespace or not, out of a non-ASCII one
    import string

    any_letter = re.compile("[a-z]", re.I)
    folds = {}
    for c in range(0x80, 0x110000):
        if not 0xD800 <= c <= 0xDFFF and any_letter.fullmatch(chr(c)):
            folds[c] = "".join(x for x in string.ascii_lowercase if re.fullmatch(x, chr(c), re.I))
    assert folds == X._RE_I_ASCII
    for c in range(0x80, 0x110000):
        if 0xD800 <= c <= 0xDFFF or c in folds:
            continue
        low = chr(c).lower()
        assert len(low) == 1 and not low.isascii() and low.isspace() == chr(c).isspace(), hex(c)
    rnd = random.Random(7)
    words = ["display", "DISPLAY", "dıspLay", "dİsplay", "diſplay", "visibility", "VISIBILITY", "vİſibility",
             "hidden", "HİDDEN", "font-size", "FONT-SİZE", "none", "NONE", ":", " ", "\n", "\t", "\u3000", "\xa0",
             ";", "0", "0px", "0PX", "0em", "pt", "x", "中", "İ", "ı", "ſ", "K", "k"]
    for _ in range(40000):
        s = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 9)))
        assert X.hidden_style(s) == bool(X._HIDDEN_STYLE.search(s)), repr(s)


def test_js_redirect_any_finds_what_the_redirect_pattern_finds():
    rnd = random.Random(11)
    words = ["window.", "document.", "top.", "self.", "location", ".href", ".replace", ".assign", " ", "=", "'",
             '"', "(", "x", "\n", "location.href = '", "window.location='"]
    for _ in range(40000):
        s = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 8)))
        assert bool(X._JS_REDIRECT_ANY.search(s)) == bool(X._JS_REDIRECT.search(s)), repr(s)


def test_folded_class_patterns_answer_as_their_case_insensitive_search():
    folded = {name: rx for name, rx in vars(X).items() if isinstance(rx, X._FoldedPattern)}
    assert len(folded) >= 10
    rnd = random.Random(13)
    for name, rx in folded.items():
        # the pattern's own words (and pieces of them), in any case, between separators
        words = re.findall(r"[a-z][a-z0-9]+", rx._source[0]) + ["İ", "ı", "ſ", "K", "x", "2"]
        seps = [" ", "-", "_", "\t", "1", "\u3000", "", ""]
        for _ in range(4000):
            parts = []
            for _ in range(rnd.randint(0, 4)):
                w = rnd.choice(words)
                w = rnd.choice([w, w.upper(), w.title(), w[: max(1, len(w) // 2)], w.replace("i", "ı"), w.replace("s", "ſ")])
                parts.append(w + rnd.choice(seps))
            s = "".join(parts)
            assert rx.found(s) == bool(rx.search(s)), (name, s)


def test_strip_indent_is_the_regex():
    rnd = random.Random(17)
    alphabet = ["a", "中", " ", "\t", "\n", "\u3000", "\xa0", "&nbsp;", "&", "&amp;", "nbsp;", "<b>"]
    for _ in range(20000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))
        assert X._strip_indent(s) == X._LEAD_INDENT.sub("", s), repr(s)


def test_tokens_split_only_at_html_whitespace():
    from sitegen.region import tokens as _tokens

    rnd = random.Random(19)
    alphabet = ["a", "b", " ", "\t", "\n", "\r", "\f", "\x0b", "\x1c", "\xa0", "\u3000", "\u2028", "\x85", "中", "-"]
    for _ in range(50000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 8)))
        want = [t for t in s.translate(str.maketrans("\t\n\f\r", "    ")).split(" ") if t]
        assert _tokens(s) == want, repr(s)


def _fuzz_bytes(rnd: random.Random) -> bytes:
    from sitegen.decode import _BINARY_MAGIC

    pieces = [b"<p>", b"</p>", b"abc ", "中文".encode(), "\ufeff".encode(), "\ufffe".encode(), b"\x00", b"\x01",
              b"\x0b", b"\x0c", b"\x1b", b"\x1f", b"\x7f", b"\t\n\r", b"\xff", b"\xa4\xa4", b"<meta charset=gbk>"]
    out = [rnd.choice(_BINARY_MAGIC)] if rnd.random() < 0.1 else []
    for _ in range(rnd.randint(0, 40)):
        p = rnd.choice(pieces)
        out.append(p * (rnd.randint(1, 3000) if rnd.random() < 0.02 else 1))
    return b"".join(out)


def test_decode_looks_for_control_bytes_once():
    """A page without the parser's control bytes passes _looks_binary and has no NUL (decode skips
    both then), and Decoded.controls says what the parser would find; the parser given it builds
    the tree it builds when it looks itself."""
    from lxml import etree

    from sitegen.decode import CONTROL_BYTES, PageError, _looks_binary, decode

    rnd = random.Random(23)
    for _ in range(1200):
        data = _fuzz_bytes(rnd)
        if len(data.translate(None, CONTROL_BYTES)) == len(data):
            assert _looks_binary(data) is None and b"\x00" not in data
        try:
            dec = decode(data)
        except PageError:
            continue
        if dec.utf8 is None:
            assert dec.controls is None
        elif dec.controls is not None:
            assert dec.controls == (len(dec.utf8.translate(None, CONTROL_BYTES)) != len(dec.utf8))
        if dec.text and not dec.text.isspace():
            try:
                a = X.parse_html(dec.text, dec.utf8, dec.controls)
            except Exception as e:  # (lxml's ParserError for a document of nothing it keeps)
                a = type(e)
            try:
                b = X.parse_html(dec.text)
            except Exception as e:
                b = type(e)
            assert type(a) is type(b) and (not isinstance(a, type) or a is b)
            if not isinstance(a, type):
                assert etree.tostring(a, encoding="unicode") == etree.tostring(b, encoding="unicode")


def _resolver_reference(base_url):
    """The sanitiser's attribute filter as it was before it let http(s) URLs through unparsed."""
    from urllib.parse import urljoin, urlsplit

    from sitegen.sanitize import _SAFE_SCHEMES, _URL_ATTRS

    base_ok = bool(base_url) and urlsplit(base_url).scheme in ("http", "https")

    def attribute_filter(tag, attr, value):
        if (tag, attr) in _URL_ATTRS:
            v = value.strip()
            if not v.isprintable():
                v = "".join(ch for ch in v if ch >= " " and ch != "\x7f")
            if not v or v.startswith("#"):
                return v or None
            scheme = urlsplit(v).scheme.lower() if ":" in v[:12] else ""
            if scheme and scheme not in _SAFE_SCHEMES:
                return None
            if base_ok and not scheme:
                try:
                    v = urljoin(base_url, v)
                except ValueError:
                    return None
            return v
        if attr in ("width", "height", "colspan", "rowspan", "start", "value"):
            return value if value.strip().isdigit() and len(value) < 8 else None
        return value

    return attribute_filter


def test_sanitizer_url_filter_is_what_it_was():
    from sitegen.sanitize import _resolver

    rnd = random.Random(29)
    parts = ["http://", "https://", "HTTP://", "http:", "//", "/", "a", "#", "?q=1", "..", "javascript:", "mailto:x",
             "\t", "\n", " ", "\x01", "中", "%20", ":", "x.org", "[", "]", "[::1]", "\uff0f", "\u2100", "@"]
    bases = [None, "https://a.org/x/y.html", "http://b.org/", "ftp://c/"]
    for _ in range(10000):
        v = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 6)))
        base = rnd.choice(bases)
        for tag, attr in (("a", "href"), ("img", "src"), ("q", "cite"), ("img", "width")):
            got, want = _answer(_resolver(base), tag, attr, v), _answer(_resolver_reference(base), tag, attr, v)
            assert got == want, (base, v)


def _answer(f, *args):
    try:
        return f(*args)
    except ValueError as e:  # (urlsplit's: the page's cleaning fails with it)
        return ("ValueError", str(e))
