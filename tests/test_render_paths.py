"""The render stage's short cuts give what they stand for: ``plan._href`` the links of
``urls.href``, and the environment's escaping (``render._CodeGenerator``) the text of stock Jinja."""

from __future__ import annotations

import itertools
import random

import jinja2
import markupsafe
import pytest

from sitegen import plan, urls
from sitegen.render import Renderer, _Environment

PATHS = [
    "index.html", "page/2/index.html", "page/10/index.html", "tags/index.html", "tags/美国/index.html",
    "tags/美国/page/2/index.html", "tags/a b/index.html", "tags/a%b/page/3/index.html", "archive/index.html",
    "archive/2024/05/index.html", "archive/2024/05/page/2/index.html", "search/index.html", "feed.xml",
    "tags/美国/feed.xml", "bnews/cbnews/20241228/2005996.html", "bnews/cbnews/20241228/2005997.html",
    "bnews/cbnews/index.html", "bnews/x.html", "tags.html", "tags", "tags/美国", "tags/美国/page",
    "a.html", "a/b/c/d/e.html", "a/b", "a/b/c", "page", "static/style.css", "新闻/中文 路径/页.html",
    "q?x=1#y.html", "tags/index.html/x", "index.html/index.html",
    # not plain: urls.href's own way
    "", ".", "..", "./a.html", "a/./b.html", "a/../b.html", "a//b.html", "/abs.html", "a/", "tags/美国/",
    "../up.html", "a/b/..",
]


def same(origin: tuple, frm: str, to: str) -> None:
    try:
        want = urls.href(frm, to)
    except Exception as e:  # (the same error, if any)
        with pytest.raises(type(e)):
            plan._href(origin, to)
        return
    assert plan._href(origin, to) == want, (frm, to)


def test_href_is_urls_href_on_every_pair() -> None:
    for frm, to in itertools.product(PATHS, PATHS):
        same(plan._origin(frm), frm, to)


def test_href_on_random_paths() -> None:
    rnd = random.Random(7)
    segs = ["tags", "page", "a", "b", "美国", "2", "index.html", "x.html", ".", "..", ""]
    for _ in range(20000):
        frm = "/".join(rnd.choices(segs, k=rnd.randint(1, 5)))
        to = "/".join(rnd.choices(segs, k=rnd.randint(1, 5)))
        origin = plan._origin(frm)
        same(origin, frm, to)
        same(origin, frm, to)  # (answered from the memos)


TEMPLATES = [
    "{{ s }}|{{ n }}|{{ f }}|{{ m }}|{{ none }}|{{ b }}|{{ l }}|{{ d }}",
    "{% for x in l %}<{{ x }}>{% endfor %}{{ l | join(',') }}{{ s | e }}{{ s | safe }}{{ m | upper }}",
    "{% macro k(v) %}[{{ v }}]{% endmacro %}{{ k(s) }}{{ k(m) }}{% set y = k(s) %}{{ y }}{{ y | length }}",
    "{% set blk %}<{{ s }}>{% endset %}{{ blk }}|{{ blk | length }}|{{ blk ~ s }}|{{ s ~ m }}",
    "{% macro c() %}({{ caller() }}){% endmacro %}{% call c() %}{{ s }}{% endcall %}",
    "{% autoescape false %}{{ s }}{% endautoescape %}{{ s }}{% autoescape true %}{{ s }}{% endautoescape %}",
    "{% filter upper %}{{ s }}{% endfilter %}{{ d | tojson }}{{ '<lit>' }}{{ s if n else m }}",
    "{{ sub }}|{{ s[0:3] }}|{{ '%s<' | format(s) }}|{{ d.k }}|{{ d['k'] }}|{{ s.upper() }}",
]
CONTEXT = {
    "s": "标题 <b>&\"'</b>", "n": 3, "f": 1.5, "m": markupsafe.Markup("<i>safe</i>"), "none": None,
    "b": True, "l": ["<a>", 2, markupsafe.Markup("<c>")], "d": {"k": "<v>"},
    "sub": type("S", (str,), {})("<str subclass>"),
}


@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("autoescape", [True, False])
def test_escaping_is_jinjas(source: str, autoescape: bool) -> None:
    kw = dict(undefined=jinja2.StrictUndefined, autoescape=autoescape)
    stock, ours = jinja2.Environment(**kw), _Environment(**kw)
    assert ours.from_string(source).render(CONTEXT) == stock.from_string(source).render(CONTEXT)


def test_undefined_is_still_an_error() -> None:
    env = _Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render({})


def test_theme_pages_equal_stock_jinja(tmp_path) -> None:
    """The theme's templates, compiled by the environment and by stock Jinja, give the same page
    (and so does the compiled code read back from the bytecode cache)."""
    ours = Renderer(None, "zh-CN", tmp_path / "jinja")
    stock = jinja2.Environment(loader=ours.env.loader, autoescape=ours.env.autoescape,
                               undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
    stock.globals["t"] = ours.strings
    stock.policies["json.dumps_kwargs"] = ours.env.policies["json.dumps_kwargs"]
    common = plan._common("tags/美国/page/2/index.html", "tag", _Config())
    item = {"title": "标题<b>", "href": "../../x.html", "date": "2024-05-01", "summary": "摘要 & <i>",
            "source": "来源", "tags": [{"name": "美国", "href": "../../a%20b/index.html"}]}
    ctx = dict(common, tag={"name": "美国<", "count": 3}, feed="feed.xml",
               list={"items": [item, dict(item, date=None, source=None, summary="", tags=[])], "number": 2,
                     "total": 3, "prev": "../../index.html", "next": "../3/index.html"})
    want = stock.get_template("list.html").render(ctx)
    assert ours.env.get_template("list.html").render(ctx) == want
    again = _Environment(loader=ours.env.loader, autoescape=ours.env.autoescape, undefined=jinja2.StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                         bytecode_cache=ours.env.bytecode_cache)
    again.globals["t"] = ours.strings
    assert list((tmp_path / "jinja").iterdir())
    assert again.get_template("list.html").render(ctx) == want


class _Config:
    title, description, language, base_url, search = "站<点>", "描述", "zh-CN", "https://example.org/", True
