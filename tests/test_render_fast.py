"""The render stage's cheaper paths give exactly what the straightforward ones give.

- ``links._rewrite_fast`` (a body's changed tags only, by ``re.sub``) against the token loop
  ``links._rewrite_stream``, on varied bodies, and on the cases where one of them must decline;
- the templates compiled by ``render._CodeGenerator`` (joined output, inline dict lookups) with
  ``render._Context`` against Jinja's own code generator and context, on a template that uses
  every construct whose code they change.
"""

from __future__ import annotations

import random

import jinja2
import markupsafe
import pytest

from sitegen import links
from sitegen.links import _rewrite_fast, _rewrite_soup, _rewrite_stream, outbound_links
from sitegen.render import Renderer, _Environment
from sitegen.sanitize import sanitize

from test_incremental_rewrite import fragment

LINK_MAP = {"https://www.bannedbook.org/bnews/1.html": "../local/1.html", "/bnews/2.html": "../local/2.html",
            "https://a.b/it's": "x/it's.html"}


def both(body: str, link_map=LINK_MAP) -> bool:
    """``_rewrite_fast`` equals ``_rewrite_stream`` whenever it takes ``body``; True if it did."""
    took = False
    for images in ("keep", "link", "drop"):
        try:
            want = _rewrite_stream(body, link_map, images)
        except ValueError:  # (an invalid IPv6 URL: both raise)
            with pytest.raises(ValueError):
                _rewrite_fast(body, link_map, images)
            continue
        fast = _rewrite_fast(body, link_map, images)
        if fast is not None:
            took = True
            assert fast == want, (body, images)
            assert fast == _rewrite_soup(body, link_map, images), (body, images)
    return took


# Bodies the fast path takes (each has something it must change, or keep as it is).
TAKEN = [
    "", "新闻", "<p>新闻</p>", "<p>a</p>\n<p>b</p>", "<p>a</p> <p>b</p>", "<p>a</p>\n", " <p>a</p>",
    "<p> a </p>", "<p>\n a</p>",
    '<p><a href="https://www.bannedbook.org/bnews/1.html">本地</a>和<a href="https://x.org/">外站</a></p>',
    '<p><a href="rel/3.html">不在镜像</a>尾</p>', '<a href="rel/3.html"><a href="#t">内</a></a>',
    '<p><a href="#top" rel="nofollow">顶</a><a href="mailto:a@b.c">信</a><a>无</a></p>',
    '<p><a title="t" href="https://x.org/" rel="nofollow noopener">x</a></p>',
    '<a href="/bnews/2.html" rel="x">y</a>',
    '<p><img src="https://img.x/a.jpg" alt="图"><img src="rel.jpg"><img alt="无"><img></p>',
    '<img src="https://img.x/a%20b.png" title="标题" width="20">', '<img src="https://img.x/">',
    "<p>a<br>b<hr>c<br >d</p>", '<p id="x" data-a="1">t</p>', "<p >t</p>", "<p\n>t</p>",
    '<abbr title="a &amp; b">x</abbr>', "<table><tr><td>1</td></tr></table>",
    '<p title="say &quot;hi&quot;">q</p>', '<p title="a\tb">a</p>',
    '<a href="https://a.b/it\'s">it</a>', '<a href="https://a.b/&amp;x">amp</a>',
    # links out as sanitised bodies have them (given back as they are), and others like them
    '<p><a href="https://x.org/a?b=1#c" rel="noopener noreferrer">外</a></p>',
    '<a href="https://www.bannedbook.org/bnews/1.html" rel="noopener noreferrer">本地</a>',
    '<a href="http://x.org/a b" rel="noopener noreferrer">sp</a>', '<a href="http://x.org/[x" rel="noopener noreferrer">b</a>',
    '<a href="https://a.b/it\'s" rel="noopener noreferrer">q</a>', '<a href="https://x.org/&amp;" rel="noopener noreferrer">a</a>',
    '<a href="https://中文.org/" rel="noopener noreferrer">n</a>', '<a href="HTTPS://X.org/" rel="noopener noreferrer">u</a>',
    '<a rel="noopener noreferrer" href="https://x.org/">o</a>',
]
# Bodies it leaves to the loop: texts the loop changes, markup outside its grammar, or nesting
# and attributes the loop itself refuses.
DECLINED = [
    "a &amp; b", "<p>a &nbsp; b</p>", "<p>x > y</p>", "> a", "<p>a</p>\n\n<p>b</p>", "<p>a</p>  ", "  ",
    "\n\n", "<p>\t</p>", "<p>a\tb</p>", "<p>a\x0cb</p>", "<p>a\r\nb</p>", "<p>a</p>\t", "<P>a</P>",
    "<p>a", "a</p>", "<p><b>a</p></b>", "<br/>", "</br>", "<p/>", '<p class="x">a</p>',
    '<p rel="x">a</p>', '<p id="a" id="b">x</p>', '<a rel="a  b" href="#">x</a>', "<pre>x</pre>",
    '<a href="https://x.org/" rel="noopener  noreferrer">r</a>', "<script>x</script>", "<!-- c --><p>a</p>", "<p>a < b</p>", '<p title=x>a</p>', "<p\t>a</p>",
    "<p title='x'>t</p>",
]


@pytest.mark.parametrize("body", TAKEN)
def test_the_fast_path_takes_these_bodies_and_gives_what_the_loop_gives(body):
    assert both(body)


@pytest.mark.parametrize("body", DECLINED)
def test_the_fast_path_leaves_these_to_the_loop(body):
    for images in ("keep", "link", "drop"):
        assert _rewrite_fast(body, LINK_MAP, images) is None
    assert not both(body)


def test_an_invalid_url_raises_as_in_the_loop():
    for body in ('<img src="http://[::1/x">', '<a href="http://[::1/x">x</a>'):
        for fn in (_rewrite_fast, _rewrite_stream):
            with pytest.raises(ValueError):
                fn(body, {}, "keep")


CLEAN_TEXT = ["新闻", "a b", " 前空", "后空 ", " ", "\n", "it's", '"q"', "\xa0", "1+1=2", "x/y"]
HREFS = ["https://www.bannedbook.org/bnews/1.html", "http://example.com/a?b=1&amp;c=2", "HTTPS://X.org/",
         "/bnews/2.html", "rel/3.html", "#top", "mailto:a@b.c", "", "//cdn.x/y", "https://a.b/it's"]


def clean_fragment(rng: random.Random, depth: int = 0) -> str:
    """Markup as sanitised bodies have it, mostly in the fast path's grammar."""
    parts = []
    for _ in range(rng.randint(1, 5)):
        k = rng.random()
        if k < 0.4 or depth > 3:
            parts.append(rng.choice(CLEAN_TEXT))
        elif k < 0.6:
            attrs = "".join(rng.choice([f' href="{rng.choice(HREFS)}"', ' title="t &amp; &quot;u&quot;"',
                                        ' rel="nofollow"', ' target="_blank"', ""]) for _ in range(rng.randint(0, 2)))
            parts.append(f"<a{attrs}>{clean_fragment(rng, depth + 1)}</a>")
        elif k < 0.7:
            attrs = "".join(rng.choice([f' src="{rng.choice(HREFS)}"', ' alt="图 &lt;1&gt;"', ' title="标"',
                                        ' width="20"', ""]) for _ in range(rng.randint(0, 3)))
            parts.append(f"<img{attrs}>")
        elif k < 0.78:
            parts.append(rng.choice(["<br>", "<hr>", "<br >", "<p >x</p>"]))
        else:
            tag = rng.choice(["p", "strong", "em", "blockquote", "ul", "li", "h2", "span", "abbr", "sup"])
            attrs = rng.choice(["", "", ' id="i"', ' title="z" data-x="1"'])
            parts.append(f"<{tag}{attrs}>{clean_fragment(rng, depth + 1)}</{tag}>")
    return "".join(parts)


def test_the_fast_path_equals_the_loop_on_varied_bodies():
    rng = random.Random(12)
    taken = 0
    for _ in range(1500):
        body = clean_fragment(rng)
        hrefs = outbound_links(body)
        link_map = {h: f"../local/{j}.html" for j, h in enumerate(hrefs) if rng.random() < 0.5}
        taken += both(body, link_map)
    assert taken > 800
    rng = random.Random(11)
    taken = 0
    for i in range(1500):
        raw = fragment(rng)
        body = sanitize(raw, base_url="https://www.bannedbook.org/bnews/x/1.html") if i % 3 else raw
        hrefs = outbound_links(body)
        link_map = {h: f"../local/{j}.html" for j, h in enumerate(hrefs) if rng.random() < 0.5}
        taken += both(body, link_map)
        # and the same body as mirrored pages have it: paragraphs on lines of their own
        taken += both("\n".join(f"<p>{body}</p>" for _ in range(2)), link_map)
    assert taken > 250


def test_links_rewrite_is_the_fast_path_when_it_takes_the_body(monkeypatch):
    body = TAKEN[9]
    monkeypatch.setattr(links, "_rewrite_stream", lambda *a: pytest.fail("the loop ran"))
    assert links.rewrite(body, LINK_MAP, "keep") == _rewrite_soup(body, LINK_MAP, "keep")


# --- the compiled templates ---------------------------------------------------------------------
@jinja2.pass_context
def _ctx_fn(context, x):
    return f"{x}:{context.get('name')}"


class _Obj:
    title = "对象 <b>"
    items = "an attribute"

    def method(self, x):
        return f"m({x})"


TEMPLATES = {
    "base.html": ("<title>{% block title %}{{ site.title }}{% endblock %}</title>|{{ self.title() }}|"
                  "{% block main %}{% endblock %}|{{ site.missing is defined }}{{ site['title'] }}"),
    "_m.html": ("{% macro row(r, sep='/') -%}<i>{{ r.title }}{{ sep }}{{ r.date[0:4] }}</i>{{ caller() if caller is defined and sep == '|' }}"
                "{%- endmacro %}"),
    "page.html": """{% extends "base.html" %}{% from "_m.html" import row %}
{% block title %}{{ page.title }} | {{ super() }}{% endblock %}
{% block main %}
{% set ns = namespace(total=0) %}
{% for item in items %}<li class="{{ loop.index }}{{ ' last' if loop.last }}">{{ item.title }}{{ item.missing is defined }}
{{ item.get('title') }}{{ item.keys() | list | length }}{{ item['title'] }}{{ item.items is callable }}{{ item.values() | list | length }}
{{ fmt.format(y=item.date[0:4], m=item.date[5:7]) }}{{ pos.format(item.n) if item.n is defined }}{% if item.tags %}
{% for tag in item.tags %}<a href="{{ tag.href }}">{{ tag.name }}</a>{% endfor %}{% endif %}
{% set ns.total = ns.total + (item.n if item.n is defined else 0) %}{{ row(item) }}{% call row(item, sep='|') %}[{{ item.title }}]{% endcall %}
{% filter upper %}{{ item.title }}{% endfilter %}{% set cap %}{{ item.title }}!{% endset %}{{ cap }}</li>
{% endfor %}{{ ns.total }}{{ obj.title }}{{ obj.items }}{{ obj.method(1) }}{{ ctx_fn(2) }}{{ name.upper() }}
{{ raw }}{{ raw.upper() }}{% autoescape false %}{{ unsafe }}{{ row(items[0]) }}{{ row(items[0]) ~ unsafe }}{% endautoescape %}{{ row(items[2]) ~ unsafe }}{{ unsafe }}{{ n }}{{ none_val }}
{{ items | map(attribute='title') | join(',') }}{{ items | selectattr('date') | list | length }}{{ nested.a.b.c }}
{{ "%s-%s" | format(name, n) }}{{ site.title ~ "|" ~ page.title }}{{ gen.__next__() is defined }}
{% for item in items if item.n is defined %}{{ item.title }}{% else %}none{% endfor %}
{% for item in items | selectattr("date") %}{{ loop.index }}{{ item.date[:4] }}{% endfor %}
{% for k, v in nested.a.items() %}{{ k }}={{ v.c }}{% endfor %}{% include "inc.html" %}
{% with x = items[0], y = site %}{{ x.title }}{{ y.title }}{% endwith %}{{ nested.a.b.c if nested.a is defined else "-" }}
{% for node in tree recursive %}<{{ node.name }}>{{ loop(node.kids) if node.kids }}{% endfor %}
{% import "_m.html" as m %}{{ m.row(items[2]) }}{{ [site.title, page.title] | join }}{{ {"k": site.title}.k }}
{% endblock %}""",
    "inc.html": "[{{ site.title }}{% for item in items %}{{ item.title }}{% endfor %}]",
}


def _context():
    return {
        "site": {"title": "站 & <s>"}, "page": {"title": "页 \"q\""}, "fmt": "{y}年{m}月", "pos": "#{}", "name": "名",
        "items": [{"title": "一 <b>", "date": "2024-05-06", "n": 1, "tags": [{"name": "标签 & 1", "href": "t/1.html"}]},
                  {"title": "二", "date": "", "n": 0, "tags": []},
                  {"title": "三 'x'", "date": "2023-01-02", "tags": [{"name": "a", "href": "../a b.html"}] * 2}],
        "obj": _Obj(), "ctx_fn": _ctx_fn, "raw": markupsafe.Markup("<em>安全</em>"), "unsafe": "<x>", "n": 3,
        "none_val": None, "nested": {"a": {"b": {"c": "深"}}}, "gen": iter(()),
        "tree": [{"name": "根 &", "kids": [{"name": "枝", "kids": []}, {"name": "叶", "kids": None}]}],
    }


def _plain_env(loader):
    return jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def test_compiled_templates_render_what_jinjas_own_code_renders():
    loader = jinja2.DictLoader(TEMPLATES)
    ours = _Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
                        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                        keep_trailing_newline=True)
    plain = _plain_env(loader)
    source = ours.compile(TEMPLATES["page.html"], "page.html", raw=True)
    assert "_sitegen_join((" in source and "_sitegen_o[" in source  # (the code under test is used)
    got = ours.get_template("page.html").render(_context())
    want = plain.get_template("page.html").render(_context())
    assert got == want
    assert "站 &amp; &lt;s&gt;" in got and "<em>安全</em>" in got and "m(1)" in got and "2:名" in got


@pytest.mark.parametrize("expr", ["item.missing", "site.title.nothing", "obj.nothing", "items.nothing",
                                  "fmt.format(q=1)"])
def test_undefined_and_errors_are_raised_as_jinja_raises_them(expr):
    src = {"t.html": "{% for item in items %}{{ " + expr + " }}{% endfor %}"}
    errors = []
    for env in (_Environment(loader=jinja2.DictLoader(src), undefined=jinja2.StrictUndefined, autoescape=True),
                _plain_env(jinja2.DictLoader(src))):
        with pytest.raises(Exception) as info:
            env.get_template("t.html").render(_context())
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_the_theme_renders_as_with_jinjas_own_code(tmp_path):
    """The default theme's list and article templates, compiled both ways, on one context each."""
    r = Renderer(None, "zh-CN")
    plain = _plain_env(jinja2.FileSystemLoader([str(d) for d in r.dirs]))
    plain.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    plain.globals["t"] = r.strings
    common = {"site": {"title": "站", "description": "述 & 说", "language": "zh-CN", "base_url": None,
                       "search": True, "feeds": True},
              "root": "../", "nav": {"home": "../index.html", "tags": "../tags/index.html",
                                     "archive": "../archive/index.html", "search": "../search/index.html",
                                     "feed": "../feed.xml"}, "feed": None}
    items = [{"title": "题 <1>", "href": "../a/1.html", "date": "2024-01-02T03:04:05+08:00", "summary": "摘要",
              "source": "源", "tags": [{"name": "经济", "href": "../tag/jj/index.html"}]},
             {"title": "题2", "href": "../a/2.html", "date": None, "summary": "", "source": None, "tags": []}]
    contexts = {
        "list.html": {**common, "page": {"path": "tag/jj/index.html", "kind": "tag", "canonical": None},
                      "tag": {"name": "经济", "count": 2}, "feed": "feed.xml",
                      "list": {"items": items, "number": 2, "total": 3, "prev": "../index.html", "next": "3.html"}},
        "article.html": {**common, "page": {"path": "a/1.html", "kind": "article", "canonical": "https://x/a/1.html"},
                         "article": {"title": "题 <1>", "date": "2024-01-02", "source": "源", "author": "者",
                                     "url": "https://o/1?a=1&b=2", "summary": "摘 \"要\"", "language": "zh-TW",
                                     "tags": items[0]["tags"], "published": "2024-01-02T00:00:00+08:00",
                                     "tag_names": ["经济"]},
                         "jsonld": {"@type": "NewsArticle", "headline": "题 </script>"}, "body": "<p>正文</p>",
                         "newer": {"title": "新", "href": "2.html"}, "older": None},
    }
    for name, ctx in contexts.items():
        assert r.env.get_template(name).render(ctx) == plain.get_template(name).render(ctx), name


# --- list items -----------------------------------------------------------------------------------
def test_list_items_are_those_of_item_from_every_origin():
    """``plan._items`` (``_href`` written out) against ``plan._item`` per entry, from list pages
    of every kind and from origins that are not plain paths, to targets plain or not."""
    from test_render_paths import PATHS

    from sitegen import plan
    from sitegen.taxonomy import Entry

    rng = random.Random(5)
    names = ["美国", "a b", "a%b", "经济", "x"]
    tag_paths = {n: rng.choice([f"tags/{n}/index.html", f"tags/{n}/page/2/index.html", "tags/index.html",
                                "a//b.html", "../up.html"]) for n in names}
    tag_paths["美国"] = "tags/美国/index.html"
    entries = [Entry(id=f"s/{i}.html", path=rng.choice(PATHS), title=f"题{i} <", date=rng.choice([None, "2024-05-06"]),
                     summary=rng.choice(["", "摘要"]), source=rng.choice([None, "源"]),
                     tags=tuple(rng.sample(names, rng.randint(0, 3))), url=None, author=None, language=None,
                     body_key="k")
               for i in range(60)]
    entries = [e for e in entries if e.path]  # (an entry has a path)
    checked = 0
    for frm in PATHS:
        o = plan._origin(frm)
        try:
            want = [plan._item(o, e, tag_paths) for e in entries]
        except ValueError:  # (urls.href's, for a path it refuses: the same error)
            with pytest.raises(ValueError):
                plan._items(plan._origin(frm), entries, tag_paths)
            continue
        o = plan._origin(frm)  # (a fresh memo of links, as each page has)
        got = plan._items(o, entries, tag_paths)
        checked += 1
        assert got == want, frm
        assert [list(d) for d in got] == [list(d) for d in want]  # (the keys in the same order)
    assert checked > 30


def test_tojson_writes_what_jinjas_writes():
    r = Renderer(None, "zh-CN")
    plain = jinja2.Environment(autoescape=True)
    plain.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    src = "{{ v | tojson }}|{{ v | tojson(2) }}|{{ v | tojson | length }}"
    for v in [{"b": "</script><x>&'\"", "a": ["中文", 1, 2.5, None, True], "c": {"z": 1, "y": [{}]}}, "x", 3, None, [],
              {"\u2028": "\u2029", "k": float("inf")}, markupsafe.Markup("<b>")]:
        assert r.env.from_string(src).render(v=v) == plain.from_string(src).render(v=v), v


def test_tojson_with_other_policies_is_jinjas():
    from sitegen.render import _tojson

    for kwargs in ({"sort_keys": False, "ensure_ascii": True}, {"sort_keys": True, "ensure_ascii": False, "indent": 1}):
        ours, plain = _Environment(autoescape=True), jinja2.Environment(autoescape=True)
        ours.filters["tojson"] = _tojson
        for env in (ours, plain):
            env.policies["json.dumps_kwargs"] = dict(kwargs)
        v = {"b": "中 <", "a": 1}
        assert ours.from_string("{{ v | tojson }}").render(v=v) == plain.from_string("{{ v | tojson }}").render(v=v)


def test_the_tuned_code_is_used_with_jinja_3_1_only():
    """The code generator, context and globals tuned for Jinja 3.1's internals (render._TUNED)
    take over from Jinja's own only on Jinja 3.1 with MarkupSafe's C escape; elsewhere the
    environment is Jinja's."""
    import markupsafe

    from sitegen import render

    tuned = jinja2.__version__.startswith("3.1.") and hasattr(markupsafe, "_escape_inner")
    assert render._TUNED is tuned
    assert (_Environment.code_generator_class is render._CodeGenerator) is tuned
    assert (_Environment.context_class is render._Context) is tuned
    assert (_Environment.make_globals is jinja2.Environment.make_globals) is not tuned
