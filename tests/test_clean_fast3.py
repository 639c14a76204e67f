"""The third pass's fast paths give what the code they replace gives: a selector's matches
unwrapped in one strip (extract.unwrap_all) as one after the other, a selector of one compound
answered from its list of the index without its steps, one alternative's matches not sorted
again, strip_page's share-bar head test before is_share_bar's call."""

from __future__ import annotations

import random
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from sitegen import extract as X
from sitegen import profiles as P
from sitegen.profiles import PageIndex, compile_selector

PAGES = Path(__file__).parent / "pages"


def _tree(rnd: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rnd.randint(0, 4)):
        r = rnd.random()
        if r < 0.25:
            parts.append(rnd.choice(["", " ", "text", "字 &amp; 文", "\n  "]))
        elif r < 0.32:
            parts.append("<!--c-->")
        elif r < 0.37:
            parts.append("<br>")
        else:
            tag = rnd.choice(["span", "a", "b", "i", "p"])
            cls = rnd.choice(["", ' class="k"', ' class="k x"'])
            inner = _tree(rnd, depth + 1) if depth < 3 else rnd.choice(["", "x", "链接"])
            parts.append(f"<{tag}{cls}>{inner}</{tag}>{rnd.choice(['', 'tail', ' 尾'])}")
    return "".join(parts)


def _state(root) -> list:
    out = [etree.tostring(root, encoding="unicode")]
    for x in root.iter():
        out.append((x.tag, x.text, x.tail))
        if isinstance(x.tag, str):
            out.append((list(x.itertext()), "".join(x.itertext())))
    return out


def test_unwrap_all_is_unwrap_one_after_the_other():
    rnd = random.Random(11)
    batches = nested = 0
    for _ in range(400):
        html_ = f"<div><div>{_tree(rnd)}<p>{_tree(rnd)}</p>{_tree(rnd)}</div></div>"
        fast = lxml.html.fragment_fromstring(html_, create_parent="body")
        slow = lxml.html.fragment_fromstring(html_, create_parent="body")
        scope_f, scope_s = fast[0][0], slow[0][0]
        pairs = [(a, b) for a, b in zip(scope_f.iter(), scope_s.iter())
                 if isinstance(a.tag, str) and a is not scope_f and rnd.random() < 0.5]
        els_f = [a for a, _ in pairs]
        tags = [a.tag for a in els_f]
        nested += any(X._is_ancestor(a, b) for a in els_f for b in els_f if a is not b)
        batches += len(els_f) > 1
        X.unwrap_all(els_f, scope_f)
        for _, b in pairs:
            X.unwrap(b)
        assert _state(fast) == _state(slow), html_
        assert [a.tag for a in els_f] == tags and all(a.getparent() is None for a in els_f)
    assert batches > 250 and nested > 100


def test_unwrap_all_of_the_scope_or_of_an_element_that_is_not_html_one_by_one():
    for with_scope in (True, False):
        html_ = "<div><p>a<span>b<b>c</b>d</span>e<i>f</i>g</p></div>"
        fast = lxml.html.fragment_fromstring(html_, create_parent="body")
        slow = lxml.html.fragment_fromstring(html_, create_parent="body")
        xs = []  # (the proxies kept: made again, they would be HtmlElements)
        for root in (fast, slow):
            x = etree.Element("x")  # (not an HtmlElement: unwrap drops it)
            x.text, x.tail = "gone", "tail"
            root[0][0].append(x)
            xs.append(x)
        scope_f, scope_s = fast[0][0], slow[0][0]
        els_f = ([scope_f] if with_scope else []) + [scope_f.find("span"), scope_f.find("span/b")]
        els_s = ([scope_s] if with_scope else []) + [scope_s.find("span"), scope_s.find("span/b")]
        if not with_scope:
            els_f.append(xs[0])
            els_s.append(xs[1])
            assert not isinstance(xs[0], lxml.html.HtmlElement)
        X.unwrap_all(els_f, scope_f)
        for el in els_s:
            X.unwrap(el)
        assert _state(fast) == _state(slow)


def _page_trees():
    for p in sorted(PAGES.glob("*.html"))[:12]:
        yield X.parse_html(p.read_bytes().decode("utf-8", "replace"))


_ONE = ["p", "div", "a", "span", "li", "ul", ".entry", ".post", "#content", "div.post", "p.src-info",
        "div.a.b", "a.st_tag", "a.st_tag.internal_tag", "#x1[class~=kw]", "div#x1", "span.kw", "a.kw", ".kw",
        "div.a[id^=x]", "p.nothing", "#nothing", "*", "[rel]", "a[rel~=tag]", "span[class^=wp_]"]
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
                    fast += bool(P._ONE_LIST.get(sel)) and bool(got)
            for el in list(index.order):  # (the index outlives removals)
                if el is not root and el.getparent() is not None and rnd.random() < 0.15:
                    (X.drop if rnd.random() < 0.5 else X.unwrap)(el)
    assert fast > 200


def test_one_list_only_for_one_compound_with_a_list():
    assert P._one_list("p.src-info")[:2] == (1, "src-info")
    assert P._one_list("#x")[:2] == (0, "x") and P._one_list("#x")[2] is None
    assert P._one_list("div") == (2, "div", None)
    for sel in ("div p", "p, div", "[rel]", "a[rel~=tag]", "*", "p >", "::bad"):
        assert P._one_list(sel) is False, sel


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
