"""The cleaner's public API: profiles, the seed page, errors and skips."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sitegen.clean import CLEANER_VERSION, clean_bytes, clean_file, load_profiles, profiles_fingerprint
from sitegen.errors import ConfigError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def _score_module():
    path = CORPUS / "score.py"
    if not path.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    spec = importlib.util.spec_from_file_location("corpus_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_page_matches_expected(profiles):
    score = _score_module()
    page = CORPUS / "pages" / "seed_bannedbook_fragment.html"
    gold = json.loads((CORPUS / "expected" / "seed_bannedbook_fragment.json").read_text("utf-8"))
    r = clean_file(page, rel_path="seed_bannedbook_fragment.html", profiles=profiles)
    assert r.kind == "article", r.reason
    got = r.to_json()
    assert got["title"] == gold["title"]
    assert got["tags"] == gold["tags"]
    assert got["source"] == gold["source"]
    assert got["date"] == gold["date"]
    s = score.score_record(got, gold)
    assert s["F1"] >= 0.99, s
    assert any("wordpress-bannedbook" in line for line in r.explain)
    body = r.record.body_html
    assert "wp_keywordlink" not in body and "大陆网友注意" not in body and "备注" not in body
    assert "op-related-articles" not in body and "翻墙" not in r.record.body_text
    rec = r.record
    assert rec.source_path == "seed_bannedbook_fragment.html"
    assert len(rec.source_hash) == 64 and rec.language == "zh-CN" and rec.summary


def test_profiles_fingerprint_is_stable(profiles):
    assert profiles_fingerprint(profiles) == profiles_fingerprint(load_profiles())
    assert CLEANER_VERSION


def test_errors_never_raise(profiles, tmp_path):
    assert clean_bytes(b"", rel_path="e.html", profiles=profiles).kind == "error"
    r = clean_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), rel_path="b.html", profiles=profiles)
    assert r.kind == "error" and "binary" in r.reason
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 2000 + b"</p>")
    r = clean_file(big, rel_path="big.html", profiles=profiles, max_bytes=1000)
    assert r.kind == "error" and "too large" in r.reason
    r = clean_file(tmp_path / "missing.html", rel_path="missing.html", profiles=profiles)
    assert r.kind == "error" and "unreadable" in r.reason


def test_user_profile_bad_file_names_file_and_problems(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "mine.toml").write_text('name = ""\nbogus = 1\n[match]\nsignatures = [["div..x"]]\n', "utf-8")
    with pytest.raises(ConfigError) as ei:
        load_profiles(tmp_path)
    msg = str(ei.value)
    assert "mine.toml" in msg and "bogus" in msg and "name" in msg and "div..x" in msg
    assert len(ei.value.problems) >= 3


def test_profile_arrays_of_tables_report_every_problem(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "mine.toml").write_text(
        'name = "mine"\n[match]\nhosts = ["example.org"]\n'
        '[[skip]]\nselector = "body.tag"\nwhy = "x"\n'
        '[[drop_next]]\nselector = "p.notice"\ntxt = "x"\n', "utf-8")
    with pytest.raises(ConfigError) as ei:
        load_profiles(tmp_path)
    problems = " | ".join(ei.value.problems)
    assert "skip[0]: unknown key(s) why" in problems and "drop_next[0]: unknown key(s) txt" in problems
    (d / "mine.toml").write_text('name = "mine"\nskip = 3\ndrop_next = [1]\n[match]\nhosts = ["example.org"]\n', "utf-8")
    with pytest.raises(ConfigError) as ei:
        load_profiles(tmp_path)
    problems = " | ".join(ei.value.problems)
    assert "[[skip]] must be an array of tables" in problems and "drop_next[0] must be a table" in problems


def test_user_profile_claims_page(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "mine.toml").write_text(
        'name = "mine"\ndrop = ["p.from", "div.ad"]\n[match]\nhosts = ["example.org"]\n'
        '[fields]\ntitle = ["h1.t"]\nbody = ["div.story"]\ntags = ["a.kw"]\n'
        'source = [{ selector = "p.from", pattern = \'来源：(.+)\' }]\n'
        'date = [{ from = "url", pattern = \'/(\\d{8})/\' }]\n'
        , "utf-8")
    profiles = load_profiles(tmp_path)
    page = ('<html><head><link rel="canonical" href="https://www.example.org/n/20240102/1.html"></head><body>'
            '<h1 class="t">标题一</h1><div class="story"><p>第一段正文，有足够的文字。<a class="kw" href="/k/a">甲</a></p>'
            '<div class="ad">广告</div><p class="from">来源：某报</p></div></body></html>').encode()
    r = clean_bytes(page, rel_path="x.html", profiles=profiles)
    assert r.kind == "article"
    rec = r.record
    assert (rec.title, rec.tags, rec.source, rec.date) == ("标题一", ("甲",), "某报", "2024-01-02")
    assert "广告" not in rec.body_text and "来源" not in rec.body_text
    assert any("'mine'" in line for line in r.explain)


# ---------------------------------------------------------------------------------------------
# The bannedbook profile on demo-like pages (content/README.md): fragments and full WordPress pages

PARA = "望潮港四期集装箱码头正式投入运营，首艘靠泊的是一艘远洋货轮，从靠泊到离港全程用时不到二十个小时。"


def _st(tag: str) -> str:
    return (f'<a href="https://www.bannedbook.org/bnews/tag/x/" class="st_tag internal_tag" rel="tag" '
            f'title="标签 {tag} 下的日志">{tag}</a>')


def fragment(extra: str = "", src: str = '<p class="src-info">来源：晨钟日报 </p>') -> bytes:
    return (f'<h2>港口码头投入运营</h2> <p class="notice"><b>大陆网友注意：请勿点击。</p><p>备注：翻墙。</b></p>'
            f'<div class="entry"><p>{PARA}{_st("航运")}，{_st("交通")}</p><p>{PARA}</p>{extra}'
            f'<ul class="op-related-articles"><li><a href="https://www.bannedbook.org/bnews/x/20990101/1.html">相关'
            f'</a></li></ul>{src}</div>').encode("utf-8")


def full_page(entry_extra: str = "", charset: str = "utf-8", src: str = "来源：晨钟日报", date_meta: bool = True) -> str:
    meta = '<meta property="article:published_time" content="2022-07-19T08:00:00+08:00">' if date_meta else ""
    return (f'<html><head><meta charset="{charset}"><title>港口码头投入运营 | 禁闻网</title>'
            f'<link rel="canonical" href="https://www.bannedbook.org/bnews/cbnews/20220719/1738290.html">{meta}</head>'
            '<body class="single"><div id="header"><h1>禁闻网</h1></div><div id="nav"><a href="/">首页</a></div>'
            '<div class="post" id="post-1"><h2>港口码头投入运营</h2>'
            '<div class="postmeta">发布时间：<span class="date">2022年7月19日</span> | 作者：<span class="author">方屿</span>'
            ' | 分类：<a href="https://www.bannedbook.org/bnews/cbnews/" rel="category tag">中国新闻</a></div>'
            f'<div class="entry"><p>{PARA}{_st("航运")}，{_st("交通")}</p>{entry_extra}<p>{PARA}{_st("经济")}</p>'
            f'<p class="src-info">{src}</p></div></div>'
            '<div id="sidebar"><a class="tag-cloud-link" href="/t/1">美国</a></div>'
            '<div class="share-bar"><span>分享到：</span><a href="https://twitter.com/intent/tweet">Twitter</a></div>'
            '</body></html>')


@pytest.mark.parametrize("rel", [
    "bnews/cbnews/20240101/100000.html",
    "/srv/site/content/bnews/cbnews/20240101/100000.html",  # `sitegen clean --json /abs/path`
    "bnews/2024/01/01/100000.html",
])
def test_fragment_date_from_its_own_path(profiles, rel):
    r = clean_bytes(fragment(), rel_path=rel, profiles=profiles)
    assert r.kind == "article" and r.record.date == "2024-01-01", r.explain


def test_fragment_date_from_path_is_validated_and_never_from_links(profiles):
    assert clean_bytes(fragment(), rel_path="bnews/cbnews/20241399/1.html", profiles=profiles).record.date is None
    assert clean_bytes(fragment(), rel_path="bnews/essay/1510027.html", profiles=profiles).record.date is None
    # the related link carries 20990101, a body link another date: neither is the page's date
    link = '<p>参见<a href="https://www.bannedbook.org/bnews/cbnews/20210318/1571203.html">旧闻</a>。</p>'
    assert clean_bytes(fragment(link), rel_path="bnews/essay/1.html", profiles=profiles).record.date is None


def test_clean_file_with_absolute_path_gets_the_path_date(profiles, tmp_path):
    page = tmp_path / "content/bnews/cbnews/20230504/1234567.html"
    page.parent.mkdir(parents=True)
    page.write_bytes(fragment())
    r = clean_file(page, rel_path=str(page), profiles=profiles)
    assert r.record.date == "2023-05-04"


def test_category_link_is_not_a_tag(profiles):
    r = clean_bytes(full_page().encode("utf-8"), rel_path="p.html", profiles=profiles)
    assert r.kind == "article"
    assert r.record.tags == ("航运", "交通", "经济")
    assert r.record.author == "方屿" and r.record.date == "2022-07-19"


@pytest.mark.parametrize("bar", [
    '<div class="share-bar"><span class="share-label">分享到：</span><a href="https://twitter.com/x">推特</a> '
    '<a href="https://facebook.com/x">脸书</a> <a href="#">打印</a></div>',
    '<div class="bdsharebuttonbox"><a href="#" class="bds_weixin">微信</a></div>',
    '<p>分享到：<a href="https://service.weibo.com/share/share.php">微博</a> <a href="https://t.me/share">电报</a></p>',
], ids=["div.share-bar", "bdsharebuttonbox", "text"])
def test_share_bar_inside_the_entry_is_removed(profiles, bar):
    for html in (full_page(bar).encode("utf-8"), fragment(bar)):
        r = clean_bytes(html, rel_path="bnews/cbnews/20220719/1.html", profiles=profiles)
        text = r.record.body_text
        assert "分享" not in text and "推特" not in text and "微信" not in text and "微博" not in text, text
        assert text.count(PARA) >= 2


def test_traditional_source_line_big5_page(profiles):
    page = full_page(charset="big5", src="來源：青嶼日報").replace("方屿", "鍾懷瑾")
    r = clean_bytes(page.encode("big5hkscs", errors="replace"), rel_path="p.html", profiles=profiles)
    assert r.kind == "article"
    assert r.record.source == "青嶼日報" and "來源" not in r.record.body_text
    frag = fragment(src='<p class="src-info">來源：　北岸電訊社</p>')
    assert clean_bytes(frag, rel_path="f.html", profiles=profiles).record.source == "北岸電訊社"


def test_relative_urls_without_a_base_url_are_not_left_broken(profiles):
    extra = ('<p>图片<img src="x" onerror="alert(1)">与<a href="../other/2.html">另一篇</a>，'
             '<a href="#note">注</a>，<a href="https://example.com/a">外链</a>。</p>')
    r = clean_bytes(fragment(extra), rel_path="bnews/a/20240101/1.html", profiles=profiles)
    html = r.record.body_html
    assert 'src="x"' not in html and "<img" not in html and "onerror" not in html
    assert "../other" not in html and "另一篇" in r.record.body_text
    assert 'href="https://example.com/a"' in html
    assert any("relative URL" in w for w in r.record.warnings)
    # with an original URL they are resolved, and nothing is dropped
    page = full_page(extra).encode("utf-8")
    r = clean_bytes(page, rel_path="p.html", profiles=profiles)
    html = r.record.body_html
    assert 'src="https://www.bannedbook.org/bnews/cbnews/20220719/x"' in html
    assert 'href="https://www.bannedbook.org/bnews/cbnews/other/2.html"' in html
    assert not any("relative URL" in w for w in r.record.warnings)


def test_keyword_link_spam_becomes_text(profiles):
    extra = ("<p>据<span class='wp_keywordlink_affiliate'><a href=\"https://www.bannedbook.org/\" title=\"新闻\">新闻"
             "</a></span>报道，码头运营良好。</p>")
    r = clean_bytes(fragment(extra), rel_path="f.html", profiles=profiles)
    assert "据新闻报道" in r.record.body_text and 'href="https://www.bannedbook.org/"' not in r.record.body_html


# ---------------------------------------------------------------------------------------------
# The page index: profiles' selectors answered from one pass over the page, as XPath answers them

EXTRA_SELECTORS = ["div p", "div > p", "h2 + p", "p ~ p", "ul li a", "*", "[id]", "a[href^='http']",
                   "a[href$='.html']", "a[href*=bnews]", "li a[rel~=tag]", "[lang|=zh]", "META[NAME=keywords i]",
                   "p.notice + p", "body > div", "div div div", "span ~ a", "div.post.entry", "#a#b", "a[rel~='']"]


def test_page_index_selects_what_xpath_selects(profiles):
    from sitegen import extract as X
    from sitegen.profiles import PageIndex, select

    sels = set(EXTRA_SELECTORS)
    for p in profiles:
        for sig in p.signatures:
            sels.update(sig)
        sels.update(r.selector for r in p.skip)
        for group in (p.title, p.tags, p.source, p.date, p.author):
            sels.update(r.selector for r in group if r.selector)
        sels.update(p.body + p.drop + p.unwrap)
        sels.update(r.selector for r in p.drop_next)
    pages = [full_page(), fragment().decode("utf-8"),
             (Path(__file__).parent / "pages" / "wordpress_blog_comments.html").read_text("utf-8")]
    for html in pages:
        root = X.parse_html(html)
        index = PageIndex(root)
        for phase in ("as parsed", "after drops and unwraps"):
            scopes = [root] + [e for e in root.iter("div", "body", "p")][:8]
            for scope in scopes:
                if scope is not root and not index._under(scope, root):
                    continue
                for sel in sorted(sels):
                    # matches are under the scope (XPath's sibling steps may stray beside it)
                    want = [e for e in select(scope, sel) if index._under(e, scope)]
                    assert index.select(scope, sel) == want, (phase, X.describe(scope), sel)
            for el in list(root.iter("ul", "span", "b"))[::2]:
                (X.drop if el.tag == "ul" else X.unwrap)(el)
