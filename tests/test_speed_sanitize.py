"""The sanitiser reuses one nh3 Cleaner; each call's relative URLs still resolve against that
call's own base URL, whatever ran before it or beside it in another thread."""

from __future__ import annotations

import threading

import nh3

from sitegen import sanitize as S

BODY = ('<p onclick="x()">文<a href="/a/1.html">一</a><img src="img/2.png" width="10" height="x">'
        '<a href="javascript:alert(1)">二</a><script>evil()</script><a href=" #frag">三</a>'
        '<a href="mailto:a@b.org">四</a><iframe src="https://e.org"></iframe></p><!-- c -->')


def reference(html: str, base_url: str | None) -> str:
    """What a Cleaner built for this one call gives (the sanitiser before it reused one)."""
    return nh3.clean(html, tags=set(S.ALLOWED_TAGS), clean_content_tags=set(S.CLEAN_CONTENT_TAGS),
                     attributes={k: set(v) for k, v in S.ALLOWED_ATTRIBUTES.items()},
                     attribute_filter=S._resolver(base_url), url_schemes=set(S.URL_SCHEMES),
                     link_rel="noopener noreferrer", strip_comments=True)


def test_each_call_resolves_against_its_own_base() -> None:
    for base in ("https://a.example/x/y.html", None, "https://b.example/", "ftp://c.example/", None):
        out = S.sanitize(BODY, base)
        assert out == reference(BODY, base)
        if base and base.startswith("https://"):
            assert 'href="' + base.split("/")[0] + "//" + base.split("/")[2] + '/a/1.html"' in out
    assert "script" not in out and "javascript" not in out and "onclick" not in out and "iframe" not in out


def test_threads_keep_their_own_base() -> None:
    bases = [f"https://h{i}.example/p/" for i in range(8)]
    wrong: list = []

    def work(base: str) -> None:
        for _ in range(200):
            if S.sanitize(BODY, base) != reference(BODY, base):
                wrong.append(base)

    threads = [threading.Thread(target=work, args=(b,)) for b in bases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
