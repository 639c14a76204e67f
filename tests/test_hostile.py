"""Hostile input: the cleaner returns a record or a clear skip/error, never raises, and no
executable payload survives into body_html.

The oracle checks what matters in a browser, on the parsed body_html tree: no script, style,
iframe, object, embed, form, svg, math, base, meta… elements, no ``on*`` event-handler attributes,
no ``javascript:``/``vbscript:``/``data:`` URL in any attribute (after the control characters and
whitespace browsers ignore), and no raw ``<script`` anywhere. Payload TEXT is not itself a danger:
``<![CDATA[<script>alert(1)</script>`` outside SVG/MathML is a bogus comment that ends at the first
``>``, so a browser, too, shows ``alert(1)`` as text. What is checked about text is that the text of
a real ``<script>``/``<style>`` element of the page (as the cleaner's parser reads it) never becomes
body text.
"""

from __future__ import annotations

import re

import lxml.html
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.clean import clean_bytes, load_profiles
from sitegen.decode import decode
from sitegen.errors import PageError
from sitegen.extract import parse_html

PROFILES = load_profiles()
P = "俄罗斯总统新闻秘书佩斯科夫称，商业谈判仍在继续，因为有两国领导人的政治意愿，所以商业问题的协调将继续进行。"

PAYLOADS = [
    "<script>alert('XSS1')</script>",
    "<style>body{background:url(javascript:alert('XSS2'))}</style>",
    "<img src=x onerror=\"alert('XSS3')\">",
    "<a href=\"javascript:alert('XSS4')\">点我</a>",
    "<a href=\" JaVaScRiPt:alert('XSS5')\">点我</a>",
    "<iframe src=\"javascript:alert('XSS6')\"></iframe>",
    "<svg onload=\"alert('XSS7')\"><circle/></svg>",
    "<p onclick=\"alert('XSS8')\">段落</p>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">链接</a>",
    "<form action=\"javascript:alert('XSS10')\"><input value=x></form>",
    "<object data=\"javascript:alert('XSS11')\"></object>",
    "<math><mtext><script>alert('XSS12')</script></mtext></math>",
    "<div style=\"background:url('javascript:alert(13)')\">样式</div>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('XSS14')>\"></noscript>",
    "<body onload=\"alert('XSS15')\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('XSS16')\">",
    "<base href=\"javascript:alert('XSS17')//\">",
    "<textarea><script>alert('XSS18')</script></textarea>",
    "<a href=\"vbscript:msgbox('XSS19')\">v</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<svg><script>alert('XSS21')</script></svg>",
    "<math><style>body{color:red;background:url(javascript:alert('XSS22'))}</style></math>",
    "<a href=\"jav&#x09;ascript:alert('XSS23')\">链接</a>",
    "<img src=x onerror=alert('XSS24')//",
]
FRAGMENTS = ["<p>", "</p>", "<div class='content'>", "</div>", "<br>", "<br><br>", "<h1>标题</h1>",
             "<ul><li><a href='/a'>链接</a></li></ul>", "<table><tr><td>", "</td></tr></table>", P, P,
             "来源：新华社", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#x7279;", "&#0;", "<", ">", "\"", "'",
             "<title>标题</title>", "<blockquote>", "<figure><img src='a.jpg'><figcaption>图</figcaption></figure>"]

# Elements that execute, load or restyle something, or change how the rest is parsed.
FORBIDDEN = frozenset("""script style iframe object embed form svg math base meta link frame frameset
    applet noscript template""".split())
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")  # browsers strip these (tab, newline... inside too)
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_WS = re.compile(r"\s+")


def executable_parts(body_html: str) -> list[str]:
    """Everything in ``body_html`` a browser could run: forbidden elements, on* attributes,
    javascript:/vbscript:/data: URLs in any attribute, raw <script."""
    problems = []
    if "<script" in body_html.lower():
        problems.append("raw <script")
    if not body_html.strip():
        return problems
    root = lxml.html.document_fromstring("<html><body>" + body_html + "</body></html>")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower().rpartition("}")[2]
        if tag in FORBIDDEN:
            problems.append(f"<{tag}> element")
        for name, value in el.attrib.items():
            name = name.lower().rpartition("}")[2]
            if name.startswith("on"):
                problems.append(f"{name}= on <{tag}>")
            v = _IGNORED_IN_URL.sub("", value).lower()
            if v.startswith(BAD_SCHEMES):
                problems.append(f"{name}={value!r} on <{tag}>")
    return problems


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def script_texts_leaked(data: bytes, body_text: str) -> list[str]:
    """Texts of the page's real <script>/<style> elements (as the cleaner's parser, lxml, reads the
    page) that turn up in body_text more often than the page shows them as text."""
    try:
        text = decode(data).text
        root = parse_html(text)
    except (PageError, ValueError):
        return []
    hidden, shown = [], []
    for el in root.iter():
        if not isinstance(el.tag, str):
            if el.tail:
                shown.append(el.tail)
            continue
        if el.tag in ("script", "style"):
            hidden.append(_norm(el.text_content()))
        elif el.text:
            shown.append(el.text)
        if el.tail:
            shown.append(el.tail)
    visible = "".join(shown)
    body = _norm(body_text)
    leaked = []
    for t in hidden:
        if len(t) >= 6 and body.count(t) > visible.count(t):
            leaked.append(t)
    return leaked


def check(data: bytes):
    r = clean_bytes(data, rel_path="hostile.html", profiles=PROFILES)
    assert r.kind, r
    if r.kind == "error":
        assert r.reason and "\n" not in r.reason
    elif r.kind == "article":
        body = r.record.body_html
        assert not executable_parts(body), (executable_parts(body), body)
        assert not script_texts_leaked(data, r.record.body_text), (script_texts_leaked(data, r.record.body_text), body)
        assert isinstance(r.to_json(), dict)
    else:
        assert r.reason
    return r


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    check(data)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS + PAYLOADS), max_size=40), st.integers(0, 5000))
# <![CDATA[ outside foreign content is a bogus comment ending at the first ">": the script's text
# is text (harmless, escaped), in a browser as in the cleaner
@example(["<p>", P, "<![CDATA[", "<script>alert('XSS1')</script>"], 5000)
@example(["<p>", P, "<svg><script>alert('XSS21')</script></svg>", P], 5000)
@example(["<div class='content'>", P, "<math><style>body{color:red}</style></math>", P, "</div>"], 5000)
@example(["<p>", P, "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", P], 5000)
@example(["<p>", P, "<a href=\"jav&#x09;ascript:alert(1)\">链接</a>", P], 5000)
@example(["<p>", P, P, "<img src=x onerror=alert(1)//"], 5000)
@example(["<p>", P, "<!--", "<script>alert('XSS1')</script>", "-->", P], 5000)
def test_random_html_with_payloads_truncated(parts, cut):
    html = "".join(parts)
    check(html.encode("utf-8"))
    check(html.encode("utf-8")[:cut])


@SETTINGS
@given(st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=6), st.sampled_from(["utf-8", "gb18030", "big5"]))
def test_payloads_in_an_article(payloads, enc):
    body = "".join(f"<p>{P}{p}</p>" for p in payloads) + f"<p>{P}</p>" * 3
    html = f"<html><head><title>标题 - 网</title>{payloads[0]}</head><body><div class='article'>{body}</div></body></html>"
    r = check(html.encode(enc, errors="replace"))
    assert r.kind in ("article", "index")


def test_every_payload_position():
    for pl in PAYLOADS:
        for html in (
            f"<html><head>{pl}<title>标题</title></head><body><p>{P}</p><p>{P}</p></body></html>",
            f"<html><body><div class='article'>{pl}<p>{P}{pl}</p><p>{pl}{P}</p></div></body></html>",
            f"<div class='entry'><p>{P}</p>{pl}<p>{P}</p></div>",
        ):
            check(html.encode("utf-8"))


def test_deep_nesting_huge_attributes_nul_mixed_encodings():
    check(("<div>" * 5000 + P + "</div>" * 5000).encode())
    check(("<p><b><i><span>" * 3000 + P).encode())
    check(f"<p title='{'x' * 2_000_000}'>{P}</p><p>{P}</p>".encode())
    check(f"<p>{P}\x00{P}</p>".encode())
    check(b"<p>" + P.encode("utf-8") + P.encode("gbk") + P.encode("big5", errors="replace") + b"</p>")
    check(b"\xef\xbb\xbf" + b"\x00" * 10 + b"<p>x</p>")
    check(b"\xff\xfe" + "<p>你好</p>".encode("utf-16-le"))
    check(("<table>" * 500 + "<tr><td>" + P).encode())
    check(b"<p>" + b"\xe4\xb8" * 1000 + b"</p>")
