"""The cleaner's fast paths give what the straightforward code they replace gives: unwrap without
lxml's drop_tag, the host of a plain URL without urlsplit, a selector's compounds tested by
functions made for them, the share-bar head test, BodyWriter's escaping and dispatch (pinned to
what the writer wrote before its fast paths)."""

from __future__ import annotations

import html
import random
import re
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml import etree

from sitegen import extract as X
from sitegen.profiles import PageIndex, compile_selector, select, url_host
from sitegen.sanitize import is_http_url, plain_http_host


# ---------------------------------------------------------------------------------------------
# unwrap: lxml's drop_tag, or a drop for an element that is not an HTML element


def _random_tree(rnd: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rnd.randint(0, 4)):
        r = rnd.random()
        if r < 0.25:
            parts.append(rnd.choice(["", " ", "text", "字 &amp; 文", "\n  "]))
        elif r < 0.35:
            parts.append("<!--c-->")
        elif r < 0.4:
            parts.append("<br>")
        else:
            tag = rnd.choice(["span", "a", "b", "i", "em"])
            inner = _random_tree(rnd, depth + 1) if depth < 3 else rnd.choice(["", "x", "链接"])
            parts.append(f"<{tag}>{inner}</{tag}>")
    return "".join(parts)


def _unwrap_reference(el) -> None:
    try:
        el.drop_tag()
    except (AttributeError, ValueError):
        X.drop(el)


def test_unwrap_is_drop_tag():
    rnd = random.Random(7)
    checked = leaves = 0
    for _ in range(300):
        html_ = f"<div><p>{_random_tree(rnd)}</p>{_random_tree(rnd)}</div>"
        fast = lxml.html.fragment_fromstring(html_, create_parent="body")
        slow = lxml.html.fragment_fromstring(html_, create_parent="body")
        pairs = [(a, b) for a, b in zip(fast.iter(), slow.iter()) if isinstance(a.tag, str) and a.getparent() is not None]
        rnd.shuffle(pairs)
        for a, b in pairs[:3]:  # (unwrapped one after the other, as the cleaner does)
            leaves += not len(a)
            tag = a.tag
            X.unwrap(a)
            assert a.tag == tag and a.getparent() is None
            _unwrap_reference(b)
            assert etree.tostring(fast, encoding="unicode") == etree.tostring(slow, encoding="unicode"), html_
            # (unwrap leaves text nodes side by side where drop_tag joins them: read as lxml
            # gives them, they are the same)
            for x, y in zip(fast.iter(), slow.iter()):
                assert (x.tag, x.text, x.tail) == (y.tag, y.text, y.tail)
                if isinstance(x.tag, str):
                    assert list(x.itertext()) == list(y.itertext()) and x.text_content() == y.text_content()
            checked += 1
    assert checked > 500 and leaves > 200


def test_unwrap_leaves_other_elements_alone():
    # elements of any name the parser gives, the unwrapped one's sibling and descendants among them
    for name in ("sitegen-unwrap", X._UNWRAP_TAG, "a", "o:p", "x_y.z"):
        root = lxml.html.fragment_fromstring(
            f"<div><p>a<span>b<{name}>c</{name}>d</span>e<{name}>f<i>g</i></{name}>h</p></div>")
        els = [e for e in root.iter() if e.tag not in ("div", "p")]
        span = root.find(".//span")
        X.unwrap(span)
        assert [e.tag for e in root.iter()] == ["div", "p"] + [e.tag for e in els if e is not span]
        assert etree.tostring(root, encoding="unicode").startswith("<div><p>ab<")


def test_unwrap_of_an_element_that_is_not_html_drops_it():
    root = lxml.html.fragment_fromstring("<p>a<b>b</b>c</p>")
    el = etree.Element("x")  # (an lxml element, not an HtmlElement: no drop_tag)
    root.append(el)
    assert not isinstance(el, lxml.html.HtmlElement)
    el.text, el.tail = "gone", "tail"
    X.unwrap(el)
    assert etree.tostring(root, encoding="unicode") == "<p>a<b>b</b>ctail</p>"


# ---------------------------------------------------------------------------------------------
# The host and scheme of a URL without urlsplit

_URLS = [
    "https://www.bannedbook.org/bnews/x/20150104/2007495.html", "http://Example.COM", "HTTPS://A.b.c?q=1",
    "http://a.b#frag", "https://a.b/", "http://a.b:8080/x", "http://user:pw@a.b/", "http://a@b.c/",
    "http://[::1]/x", "http://[::1/x", "https://例子.中国/x", "https://xn--fsqu00a.xn--fiqs8s/", " http://a.b/",
    "http://a.b\n", "http://a.b/\n", "ht\ttp://a.b/", "http://a\t.b/", "http:/a.b/", "http:a.b", "ftp://a.b/",
    "//a.b/x", "/rel/path", "a.b/x", "http://", "http:///x", "http://-a-.b/", "http://a..b/", "https://a.b\\x",
    "http://a.b;x", "mailto:a@b.c", "javascript:alert(1)", "", "http://a.b%2f/", "https://A.B.C:/x",
]


@pytest.mark.parametrize("url", _URLS)
def test_url_host_and_scheme_are_urlsplits(url):
    try:
        parts = urlsplit(url)
        want_host, want_http = (parts.hostname or "").lower(), bool(url) and parts.scheme in ("http", "https")
    except ValueError:
        with pytest.raises(ValueError):
            url_host(url)
        with pytest.raises(ValueError):
            is_http_url(url)
        return
    assert url_host(url) == want_host
    assert is_http_url(url) == want_http
    host = plain_http_host(url)
    if host is not None:  # the fast path: only where urlsplit agrees
        assert host.lower() == want_host and want_http


def test_the_fast_path_takes_the_common_urls():
    assert plain_http_host("https://www.bannedbook.org/bnews/x.html") == "www.bannedbook.org"
    assert plain_http_host("http://user@a.b/") is None and plain_http_host("http://a.b:80/") is None
    assert not is_http_url(None)


# ---------------------------------------------------------------------------------------------
# Selectors: a compound's own test function against its general matches, and the index against
# XPath for every attribute operator

_ATTR_SELECTORS = [
    "a", "*", "[rel]", "a[rel]", "[rel=tag]", "[rel='']", "[rel~=tag]", "[rel~='']", "[rel^=ta]", "[rel^='']",
    "[rel$=ag]", "[rel$='']", "[rel*=a]", "[rel*='']", "[lang|=zh]", "[lang|='']", "[rel=TAG i]", "[rel~=TAG i]",
    "[class^=wp_]", "[class*=kw]", "[id^=x]", "[id$='1']", "a[href^=http]", "span[class^=wp_] a", "[data-x]",
    "div.a[id^=x]", "#x1[class~=kw]", "span.kw.wp_kw1", "p > [rel~=tag]", "[rel~=tag] + a", "[rel=tag] ~ a",
    "span.kw", "a.kw", "div#x1", "p.kw a", ".kw",
]


def _attr_page(seed: int) -> str:
    rnd = random.Random(seed)
    els = []
    for i in range(80):
        tag = rnd.choice(["a", "span", "div", "p"])
        attrs = []
        for name, vals in (("rel", ["tag", "category tag", "TAG", "", "tags", " tag "]),
                           ("class", ["kw", "wp_kw1 kw", "wp_", "x kw", ""]), ("id", ["x1", "y1", "x", ""]),
                           ("lang", ["zh", "zh-CN", "zhx", "en", ""]), ("href", ["http://a", "/r", "#"]),
                           ("data-x", ["", "1"])):
            if rnd.random() < 0.3:
                attrs.append(f'{name}="{rnd.choice(vals)}"')
        els.append(f"<{tag} {' '.join(attrs)}>t{i}</{tag}>")
        if rnd.random() < 0.3:
            els.append("<div class='a' id='x2'><p>" + "".join(els[-3:]) + "</p></div>")
    return "<html><body>" + "".join(els) + "</body></html>"


def test_compound_tests_give_what_matches_gives():
    root = X.parse_html(_attr_page(1))
    elements = list(root.iter(etree.Element))
    seen = 0
    for sel in _ATTR_SELECTORS:
        for steps in compile_selector(sel):
            for _comb, comp in steps:
                for c in (comp, comp.rest):
                    if c is None:
                        continue
                    seen += c.test != c.matches  # (a function made for it)
                    for el in elements:
                        assert c.test(el) == c.matches(el), (sel, c, etree.tostring(el))
    assert seen > 15


def test_index_selects_what_xpath_selects_for_every_attribute_operator():
    for seed in range(3):
        root = X.parse_html(_attr_page(seed))
        index = PageIndex(root)
        for phase in ("as parsed", "after drops and unwraps"):
            for scope in [root] + list(root.iter("div"))[:3]:
                if not index._under(scope, root):
                    continue
                for sel in _ATTR_SELECTORS:
                    want = [e for e in select(scope, sel) if index._under(e, scope)]
                    assert index.select(scope, sel) == want, (phase, sel)
            rnd = random.Random(seed)
            for el in list(root.iter("span", "a")):
                if rnd.random() < 0.4:
                    (X.drop if rnd.random() < 0.3 else X.unwrap)(el)


# ---------------------------------------------------------------------------------------------
# Share bars: the head test on the text as it is, as on its stripped copy


@pytest.mark.parametrize("text", ["分享到：微博 微信", "  \n\u3000分享到：微博", "Share: x", "\tshare this: x", "  ",
                                  "", "正文 分享到：", "\u00a0转发到：x", "SHARE on: x"])
@pytest.mark.parametrize("first_child", [None, "分享到：", "  share: x", "text"])
def test_share_bar_head_as_on_the_stripped_text(text, first_child):
    child = f"<span>{first_child}</span>" if first_child is not None else ""
    el = lxml.html.fragment_fromstring(f"<div>{html.escape(text)}{child}<a href='#'>微博</a></div>")
    head = (el.text or "").lstrip()
    if not head and len(el):
        head = (el[0].text or "").lstrip()
    passes_head = re.match(r"分享|转发|轉發|share", head, re.I) is not None
    t = X.node_text(el)
    want = passes_head and bool(X._SHARE_TEXT.match(t)) and len(t) <= 100 and (el.find(".//a") is not None or len(t) <= 40)
    assert X.is_share_bar(el, "") == want


# ---------------------------------------------------------------------------------------------
# BodyWriter


def test_esc_is_html_escape():
    rnd = random.Random(3)
    for _ in range(2000):
        s = "".join(rnd.choice("a&<>\"'字 ;#x\n") for _ in range(rnd.randint(0, 12)))
        assert X.esc(s) == html.escape(s, quote=False)
        assert X._attr(s) == html.escape(s, quote=True)


CASES = [
    ("plain", "<div> <p>One &amp; two &lt;b&gt;</p> \n <p>  Three</p>\t</div>", "https://x.org/a/"),
    ("breaks", "<div><p>line one is long enough here<br>line two is long enough here<br><br>new para</p></div>", None),
    ("indent", "<div>\u3000\u3000first para<br>\u3000\u3000second para<br></div>", None),
    ("inline", "<div><p>a <b>bold</b> <i>it</i> <u>u</u> <s>s</s> <q>q</q> <cite>c</cite> <span>sp</span> <font>f</font> <code>x&lt;y</code> <sub>1</sub><sup>2</sup> <em>e</em> <strong>s</strong></p></div>", None),
    ("links", '<div><p><a href="/rel">rel</a> <a href="http://a.b/x?y=1&amp;z=2">abs</a> <a href="#top">frag</a> <a href="javascript:x()">js</a> <a href="mailto:a@b.c">m</a> <a>none</a> <a href="//cdn.x/y">proto</a></p></div>', None),
    ("links-base", '<div><p><a href="/rel">rel</a> <a href="x.html">x</a></p></div>', "https://h.org/p/q.html"),
    ("images", '<div><p>before <img src="/i.png" alt=" a  b "> <img data-src="http://x/y.jpg" title="t"> <img src="data:x"></p><img src="http://x/z.png"></div>', None),
    ("headings", "<div><h1>H1 <b>b</b></h1><h3>three</h3><h5>five</h5><h6></h6><p>p</p></div>", None),
    ("lists", "<div><ul><li>one</li><li></li><li><img src='http://x/i.png'></li><!-- c --><li><p>block</p><p>two</p></li></ul><ol><li>x</li></ol></div>", None),
    ("quote-pre", "<div><blockquote><p>q1</p>loose</blockquote><pre>\n  code &lt; here\n</pre><pre>  </pre></div>", None),
    ("figure", "<div><figure><img src='http://x/a.png' alt='A'><figcaption>图：cap <b>b</b></figcaption></figure><figure><p>text fig</p><figcaption>c</figcaption></figure><figure><img src='/rel.png'></figure></div>", None),
    ("tables", "<div><table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table><table><tr><td><p>layout</p></td></tr><tr><td>x</td></tr></table><table><tr><td>one row</td></tr></table></div>", None),
    ("blocks", "<div><section>s<hr>after hr</section><article>a</article><center>c</center><dl><dt>t</dt><dd>d</dd></dl><address>ad</address><details><summary>su</summary>de</details></div>", None),
    ("whitespace", "<div>\n\n  <p>x</p>\u00a0<p>y</p>\u3000\n<div> </div><span> </span></div>", None),
    ("wrapped", "<div><p>这是一行被硬换行的文字内容一二三四五六<br>这是一行被硬换行的文字内容一二三四五六<br>这是一行被硬换行的文字内容一二三四五六<br>短。</p></div>", None),
    ("comment-pi", "<div>t<!-- c -->u<p>p</p><?pi x?>v</div>", None),
    ("lone-escapes", "<div><p>a &gt; b</p>c &lt; d<p>e &amp; f<a href=\"http://x/?a=1&amp;b='2'\">q\"</a>&gt;</p></div>", None),
    ("nbsp-amp", "<div><p>&nbsp;&nbsp;indented &amp;amp; text</p><p>&lt;tag&gt;</p></div>", None),
]

# what the writer wrote for each case before its fast paths (dispatch of the common tags first,
# white space between blocks not split into lines, escaping inlined)
_EXPECTED = {
    'lone-escapes': ('<p>a &gt; b</p>\n<p>c &lt; d</p>\n<p>e &amp; f<a href="http://x/?a=1&amp;b=&#x27;2&#x27;">q"</a>&gt;</p>',
        ['a > b', 'c < d', 'e & fq">'], (0, 0)),
    'plain': ('<p>One &amp; two &lt;b&gt;</p>\n<p>Three</p>',
        ['One & two <b>', 'Three'], (0, 0)),
    'breaks': ('<p>line one is long enough here line two is long enough here</p>\n<p>new para</p>',
        ['line one is long enough here line two is long enough here', 'new para'], (0, 0)),
    'indent': ('<p>first para</p>\n<p>second para</p>',
        ['first para', 'second para'], (0, 0)),
    'inline': ('<p>a <strong>bold</strong> <em>it</em> u s q c sp f <code>x&lt;y</code> <sub>1</sub><sup>2</sup> <em>e</em> <strong>s</strong></p>',
        ['a bold it u s q c sp f x<y 12 e s'], (0, 0)),
    'links': ('<p>rel <a href="http://a.b/x?y=1&amp;z=2">abs</a> frag js <a href="mailto:a@b.c">m</a> none <a href="//cdn.x/y">proto</a></p>',
        ['rel abs frag js m none proto'], (0, 1)),
    'links-base': ('<p><a href="/rel">rel</a> <a href="x.html">x</a></p>',
        ['rel x'], (0, 0)),
    'images': ('<p>before  <img src="http://x/y.jpg" alt="t"></p>\n<p><img src="http://x/z.png" alt=""></p>',
        ['before'], (1, 0)),
    'headings': ('<h2>H1 <strong>b</strong></h2>\n<h3>three</h3>\n<h4>five</h4>\n<p>p</p>',
        ['H1 b', 'three', 'five', 'p'], (0, 0)),
    'lists': ('<ul><li>one</li><li><img src="http://x/i.png" alt=""></li><li>block<br>two</li></ul>\n<ol><li>x</li></ol>',
        ['one\n\nblocktwo', 'x'], (0, 0)),
    'quote-pre': ('<blockquote><p>q1</p><p>loose</p></blockquote>\n<pre>  code &lt; here</pre>',
        ['q1\nloose', 'code < here'], (0, 0)),
    'figure': ('<figure><img src="http://x/a.png" alt="A"><figcaption>图：cap <strong>b</strong></figcaption></figure>\n<p>text fig</p>',
        ['text fig'], (1, 0)),
    'tables': ('<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>\n<p>layout</p>\n<p>x</p>\n<p>one row</p>',
        ['a\nb\nc\nd', 'layout', 'x', 'one row'], (0, 0)),
    'blocks': ('<p>s</p>\n<p>after hr</p>\n<p>a</p>\n<p>c</p>\n<p>t</p>\n<p>d</p>\n<p>ad</p>\n<p>su</p>\n<p>de</p>',
        ['s', 'after hr', 'a', 'c', 't', 'd', 'ad', 'su', 'de'], (0, 0)),
    'whitespace': ('<p>x</p>\n<p>y</p>',
        ['x', 'y'], (0, 0)),
    'wrapped': ('<p>这是一行被硬换行的文字内容一二三四五六这是一行被硬换行的文字内容一二三四五六这是一行被硬换行的文字内容一二三四五六短。</p>',
        ['这是一行被硬换行的文字内容一二三四五六这是一行被硬换行的文字内容一二三四五六这是一行被硬换行的文字内容一二三四五六短。'], (0, 0)),
    'comment-pi': ('<p>tu</p>\n<p>p</p>\n<p>v</p>',
        ['tu', 'p', 'v'], (0, 0)),
    'nbsp-amp': ('<p>indented &amp;amp; text</p>\n<p>&lt;tag&gt;</p>',
        ['indented &amp; text', '<tag>'], (0, 0)),
}


@pytest.mark.parametrize("name,body,base", CASES, ids=[c[0] for c in CASES])
def test_body_writer_writes_what_it_wrote(name, body, base):
    root = lxml.html.fragment_fromstring(body)
    w = X.BodyWriter(base)
    w.walk_children(root)
    html_ = w.html()
    assert (html_, w.texts, w.unresolved) == _EXPECTED[name]


@pytest.mark.parametrize("tag", ["div", "p", "ul", "ol", "section", "span", "aside", "li", "footer", "td", "b", "a",
                                 "article", "h3"])
@pytest.mark.parametrize("attrs", ["", ' class="share-bar"', ' id="x"'])
def test_strip_page_removes_the_share_bars_is_share_bar_names(tag, attrs):
    # (strip_page asks is_share_bar only of elements that can be one: with a class or id, or of a
    # tag a share bar found by its text can be)
    html_ = f"<div><p>正文</p><{tag}{attrs}>分享到：<a href='#'>微博</a> 微信</{tag}><p>正文二</p></div>"
    root = lxml.html.fragment_fromstring(html_, create_parent="body")
    bar = root[0][1]
    assert bar.tag == tag
    want = X.is_share_bar(bar, X.classid(bar))
    X.strip_page(root, [])
    assert (bar.getparent() is None) == want
