"""The third pass's fast paths give what the code they replace gives: a selector of one compound
answered from its list of the index without its steps, one alternative's matches not sorted
again, strip_page's share-bar head test before is_share_bar's call."""

from __future__ import annotations

import random
from pathlib import Path

import lxml.html
import pytest

from sitegen import extract as X
from sitegen import profiles as P
from sitegen.profiles import PageIndex, compile_selector

PAGES = Path(__file__).parent / "pages"


def _page_trees():
    for p in sorted(PAGES.glob("*.html"))[:12]:
        yield X.parse_html(p.read_bytes().decode("utf-8", "replace"))


_ONE = ["p", "div", "a", "span", "li", "ul", ".entry", ".post", "#content", "div.post", "p.src-info",
        "div.a.b", "a.st_tag", "a.st_tag.internal_tag", "#x1[class~=kw]", "div#x1", "span.kw", "a.kw", ".kw",
        "div.a[id^=x]", "p.nothing", "#nothing", "*", "[rel]", "a[rel~=tag]", "span[class^=wp_]", "a[href^=http]",
        "a[rel]", "div[id]", "p[lang|=zh]", "a[rel=TAG i]", "div[id^=x][class~=kw]", "a[rel~='']", "meta[name]",
        "link[rel=canonical]", "a[data-x]", "span[class*=kw]"]
_MANY = ["p, div", "h1, h2, h3", ".kw, span.kw, a", "#x1, .kw", "p.src-info, div.postmeta", "a, span, b",
         "div p, p", "li, ul li", ".nothing, p"]


def _steps_select(index, scope, selector):
    """What PageIndex.select gave before its fast paths."""
    alts = compile_selector(selector)
    if len(alts) == 1:
        return index._select(scope, alts[0])
    out = []
    for steps in alts:
        out += index._select(scope, steps)
    return sorted(set(out), key=index.order.__getitem__) if out else []


def test_select_of_one_compound_and_of_alternatives_is_what_the_steps_give():
    from tests.test_clean_fast import _attr_page  # (elements of many classes, ids and attributes)

    roots = list(_page_trees()) + [X.parse_html(_attr_page(s)) for s in range(3)]
    fast = 0
    for root in roots:
        index = PageIndex(root)
        rnd = random.Random(len(index.order))
        for phase in range(2):
            scopes = [root] + [e for e in index.order if index._under(e, root) and len(e)][:: 7]
            for scope in scopes:
                for sel in _ONE + _MANY:
                    got = index.select(scope, sel)
                    assert got == _steps_select(index, scope, sel), (phase, sel)
                    fast += P._PLANS[sel][0][0] < 4 and bool(got)
            for el in list(index.order):  # (the index outlives removals)
                if el is not root and el.getparent() is not None and rnd.random() < 0.15:
                    (X.drop if rnd.random() < 0.5 else X.unwrap)(el)
    assert fast > 200


def test_plan_lists_only_for_one_compound_with_a_list():
    assert P._plan("p.src-info")[0][:2] == (1, "src-info")
    assert P._plan("#x")[0][:2] == (0, "x") and P._plan("#x")[0][2] is None
    assert P._plan("div") == ((2, "div", None),)
    assert P._plan("a[rel~=tag]")[0][:2] == (3, ("a", "rel"))
    assert P._plan("div[id^=x][class~=kw]")[0][:2] == (3, ("div", "id"))
    assert [a[0] for a in P._plan("div p, p, [rel], *, a[rel], .x")] == [4, 2, 4, 4, 3, 1]
    assert P._plan("::bad") == ()


@pytest.mark.parametrize("tag", ["div", "p", "li", "span", "ul", "b"])
@pytest.mark.parametrize("inner", ["分享到：<a href='#'>微博</a> 微信", "\n\u3000 分享到：<a href='#'>微博</a>",
                                   "<span>分享到：</span><a href='#'>微博</a>",
                                   " <span> Share on: </span><a href='#'>x</a>",
                                   "<!--c--><a href='#'>分享到：微博</a>", "<span></span>分享到：<a href='#'>x</a>",
                                   "转发到：<a href='#'>x</a>", "正文 分享到：<a href='#'>x</a>", "<br>share: x"])
def test_strip_page_share_head_before_the_call(tag, inner):
    html_ = f"<div><p>正文</p><{tag}>{inner}</{tag}><p>正文二</p></div>"
    root = lxml.html.fragment_fromstring(html_, create_parent="body")
    bar = root[0][1]
    want = X.is_share_bar(bar, "")
    X.strip_page(root, [])
    assert (bar.getparent() is None) == want, html_



# ---------------------------------------------------------------------------------------------
# BodyWriter: a paragraph block after white space, and one of text alone, without their calls


class _PlainBlocksAsBefore(X.BodyWriter):
    """BodyWriter whose blocks that are only paragraph boundaries take flush, walk_children,
    flush, as before the fast path."""

    def node(self, el) -> None:
        if isinstance(el.tag, str) and el.tag in X._PLAIN_BLOCKS:
            self.flush()
            self.walk_children(el)
            self.flush()
        else:
            super().node(el)

    def _sub(self):
        return _PlainBlocksAsBefore(self.base, self._counts)


def _body(rnd: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rnd.randint(0, 5)):
        r = rnd.random()
        if r < 0.3 or depth > 3:
            parts.append(rnd.choice(["", " ", "\n", "\n  \t", "text", "字 &amp; 文 &lt;x&gt;", "\u3000\u3000正文",
                                     "\xa0", "a > b", "&nbsp;x"]))
        elif r < 0.36:
            parts.append(rnd.choice(["<!--c-->", "<br>", "<br><br>", "<img src='/i.png' alt='x'>"]))
        else:
            tag = rnd.choice(["p", "div", "section", "li", "td", "p", "p", "a", "b", "span", "blockquote", "ul", "h3"])
            attrs = " href='/x'" if tag == "a" else ""
            parts.append(f"<{tag}{attrs}>{_body(rnd, depth + 1)}</{tag}>")
    return "".join(parts)


def test_body_writer_plain_blocks_as_before():
    rnd = random.Random(17)
    blocks = 0
    for i in range(1500):
        root = lxml.html.fragment_fromstring(f"<div>{_body(rnd)}</div>")
        base = (None, "https://example.org/a/b.html")[i % 2]
        fast, slow = X.BodyWriter(base), _PlainBlocksAsBefore(base)
        fast.walk_children(root)
        slow.walk_children(root)
        assert (fast.html(), fast.texts, fast.unresolved) == (slow.html(), slow.texts, slow.unresolved)
        blocks += len(fast.blocks)
    assert blocks > 2000


# ---------------------------------------------------------------------------------------------
# The paragraphs' texts strip_page read, taken by BodyWriter instead of reading them again


def _strip_and_write(html_: str, base, with_texts: bool):
    body = lxml.html.fragment_fromstring(html_, create_parent="div")
    explain: list = []
    texts: dict | None = {} if with_texts else None
    X.strip_page(body, explain, texts)
    if X.figure_captions([body], explain) and texts is not None:
        texts.clear()  # (as the cleaner does)
    w = X.BodyWriter(base, texts=texts)
    w.walk_children(body)
    return w.html(), w.texts, w.unresolved, explain


def _strip_body(rnd: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rnd.randint(0, 5)):
        r = rnd.random()
        if r < 0.3 or depth > 2:
            parts.append(rnd.choice(["", " ", "\n", "正文一段", "text &amp; more", "\u3000\u3000段落", "分享到：",
                                     "share: x", "图片说明"]))
        elif r < 0.5:
            parts.append(rnd.choice(["<!--c-->", "<script>x()</script>", "<span hidden>h</span>",
                                     "<span style='display:none'>s</span>", "<br>", "<img src='/i.jpg'>",
                                     "<img src='http://a.b/i.jpg' alt='a'>", "<div class='share-bar'>分享到：<a href='#'>微博</a></div>",
                                     "<p>分享到：<a href='#'>微博</a> 微信</p>", "<form>f</form>"]))
        else:
            tag = rnd.choice(["p", "p", "p", "div", "li", "section", "span", "a", "b", "center"])
            attrs = " href='/x'" if tag == "a" else rnd.choice(["", "", " class='c'", " align='center'"])
            parts.append(f"<{tag}{attrs}>{_strip_body(rnd, depth + 1)}</{tag}>")
    return "".join(parts)


def test_body_writer_with_strip_page_texts_as_without():
    rnd = random.Random(23)
    taken = 0
    htmls = [_strip_body(rnd) for _ in range(2500)]
    htmls += ["<p>text<script>x</script>more</p>", "<p><!--c-->tail</p>", "<p>a<span hidden>h</span>b</p>",
              "<p><img src='http://a.b/i.jpg'>图片说明文字</p><p>正文</p>", "<p>分享到：<a href='#'>x</a></p><p>正文</p>"]
    for i, html_ in enumerate(htmls):
        base = (None, "https://example.org/a/b.html")[i % 2]
        assert _strip_and_write(html_, base, True) == _strip_and_write(html_, base, False), html_
        body = lxml.html.fragment_fromstring(html_, create_parent="div")
        texts: dict = {}
        X.strip_page(body, [], texts)
        taken += len(texts)
    assert taken > 3000


def test_strip_page_texts_are_the_texts_it_leaves():
    for p in sorted(PAGES.glob("*.html")):
        root = X.parse_html(p.read_bytes().decode("utf-8", "replace"))
        texts: dict = {}
        X.strip_page(root, [], texts)
        for el, t in texts.items():
            if el.getparent() is not None or el is root:
                assert el.text == t, (p.name, el.tag)


# ---------------------------------------------------------------------------------------------
# node_text: the text serialiser's content, as text_content() gives it


def _node_text_reference(el) -> str:
    try:
        return X.norm_ws(el.text_content())
    except ValueError:
        return ""


def test_node_text_is_text_content():
    from tests.test_clean_fast import _attr_page

    docs = [p.read_bytes().decode("utf-8", "replace") for p in sorted(PAGES.glob("*.html"))]
    docs += [_attr_page(1), "<html><body><p>a<!--c-->b<?pi x?>c&amp;&lt;&nbsp;\u00a0d<br>e<script>var x='<b>'</script>"
             "<style>p{}</style><textarea>t&amp;</textarea>\U0001f600</p>\n<div>x<p>y</p>z</div>tail</body></html>"]
    n = 0
    for d in docs:
        root = X.parse_html(d)
        for el in root.iter():
            assert X.node_text(el) == _node_text_reference(el), (el.tag, _node_text_reference(el)[:80])
            n += 1
    detached = lxml.html.fragment_fromstring("<p>a<b>b</b>c</p>")
    b = detached[0]
    detached.remove(b)  # (its tail stays with it, out of the tree)
    assert X.node_text(b) == _node_text_reference(b) == "b"
    assert n > 2000


# ---------------------------------------------------------------------------------------------
# record: the CJK gap found from its space


def test_cjk_gap_is_the_look_behind_pattern():
    import re

    from sitegen import record as RC

    before = re.compile(f"(?<=[{RC._CJK}]) (?=[{RC._CJK}])")
    rnd = random.Random(31)
    chars = ["中", "文", "　", "。", "，", "Ａ", "a", "Z", "1", " ", " ", " ", "\n", "\u3400", "\u4dbf", "\u4dc0", "\u9fff",
             "\ua000", "\uf900", "\ufaff", "\ufb00", "\uff00", "\uffef", "\ufff0", "\u2fff", "\u3000", "\u303f", "\u3040",
             "😀", "é"]
    subs = 0
    for _ in range(20000):
        t = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 12)))
        assert RC._CJK_GAP.sub("", t) == before.sub("", t), repr(t)
        assert [m.span() for m in RC._CJK_GAP.finditer(t)] == [m.span() for m in before.finditer(t)], repr(t)
        subs += RC._CJK_GAP.search(t) is not None
    assert subs > 1500
    assert RC.summarize("中 文 a b 中 " * 30) == before.sub("", " ".join(("中 文 a b 中 " * 30).split()))[:120].rstrip() + "…"
