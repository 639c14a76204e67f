"""Hostile input: the cleaner returns a record or a clear skip/error, never raises, and no
script/style/event-handler/javascript: payload survives into body_html."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.clean import clean_bytes, load_profiles

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
]
BAD = re.compile(r"<script|<style|<iframe|<object|<embed|<form|<svg|<math|<base|<meta|\son\w+\s*=|javascript:|"
                 r"vbscript:|data:|XSS\d|alert\(", re.I)
FRAGMENTS = ["<p>", "</p>", "<div class='content'>", "</div>", "<br>", "<br><br>", "<h1>标题</h1>",
             "<ul><li><a href='/a'>链接</a></li></ul>", "<table><tr><td>", "</td></tr></table>", P, P,
             "来源：新华社", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#x7279;", "&#0;", "<", ">", "\"", "'",
             "<title>标题</title>", "<blockquote>", "<figure><img src='a.jpg'><figcaption>图</figcaption></figure>"]


def check(data: bytes):
    r = clean_bytes(data, rel_path="hostile.html", profiles=PROFILES)
    assert r.kind, r
    if r.kind == "error":
        assert r.reason and "\n" not in r.reason
    elif r.kind == "article":
        body = r.record.body_html
        assert not BAD.search(body), body
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
