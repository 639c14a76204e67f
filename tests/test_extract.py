"""The generic extractor on small synthetic pages: one kind of trouble per test."""

from __future__ import annotations

import pytest

from sitegen import extract as X
from sitegen.clean import clean_bytes, load_profiles

P = "俄罗斯总统新闻秘书佩斯科夫称，商业谈判仍在继续，因为有两国领导人的政治意愿，所以商业问题的协调将继续进行，我们毫不怀疑将达成所有必要的协议。"


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def clean(html: str, profiles):
    return clean_bytes(html.encode("utf-8"), rel_path="t.html", profiles=profiles)


def article(body: str, head: str = "", before: str = "", after: str = "", title="测试标题一二三 - 某某网") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><div class='nav'><a href='/'>首页</a> "
            f"<a href='/a'>国际</a></div>{before}<div class='article'>{body}</div>{after}"
            "<div class='footer'>版权所有 某某网</div></body></html>")


def test_body_keeps_paragraphs_drops_chrome(profiles):
    body = "<h1>测试标题一二三</h1>" + "".join(f"<p>{P}{i}</p>" for i in range(5))
    body += "<ul class='related'><li><a href='/x/1'>相关新闻一则很长的标题</a></li><li><a href='/x/2'>相关新闻二则很长的标题</a></li></ul>"
    body += "<div class='share'>分享到微信 微博</div><p>来源：新华社</p><p>（责任编辑：张三）</p>"
    r = clean(article(body), profiles)
    assert r.kind == "article"
    rec = r.record
    assert rec.title == "测试标题一二三"
    assert rec.source == "新华社"
    text = rec.body_text
    assert text.count(P) == 5
    for junk in ("首页", "相关新闻", "分享到", "责任编辑", "版权所有", "来源"):
        assert junk not in text
    assert "测试标题一二三" not in text


def test_hidden_text_is_dropped(profiles):
    body = (f"<p>{P}<span style='display:none'>水印文字甲</span></p><p hidden>水印文字乙</p>"
            f"<p style='visibility: hidden'>水印文字丙</p><p>{P}</p><p>{P}</p>")
    r = clean(article(body), profiles)
    assert r.kind == "article"
    assert "水印" not in r.record.body_text


def test_br_br_splits_paragraphs_and_hard_wraps_join(profiles):
    lines = [P[i:i + 20] for i in range(0, len(P), 20)]
    wrapped = "<br>\n".join(lines)
    body = f"<div>{wrapped}<br><br>{wrapped}<br><br>{P}</div>"
    r = clean(article(body), profiles)
    paras = r.record.body_text.split("\n\n")
    assert paras == [P, P, P]


def test_date_order_and_never_from_related_links(profiles):
    head = '<meta property="article:published_time" content="2021-03-04T10:00:00+08:00">'
    related = "<ul><li><a href='/news/20200101/1.html'>旧闻一则很长的标题在这里</a></li></ul>"
    r = clean(article(f"<p>{P}</p><p>{P}</p>" + related, head=head), profiles)
    assert r.record.date == "2021-03-04"
    r = clean(article(f"<p>{P}</p><p>{P}</p>" + related), profiles)
    assert r.record.date is None
    canon = '<link rel="canonical" href="https://example.com/news/2019/11/22/315701">'
    r = clean(article(f"<p>{P}</p><p>{P}</p>" + related, head=canon), profiles)
    assert r.record.date == "2019-11-22" and r.record.url.endswith("315701")


def test_date_line_near_title(profiles):
    before = "<h1>测试标题一二三</h1><div class='info'><span class='time'>2020年6月5日 10:20</span> 来源：环球网</div>"
    r = clean(article(f"<p>{P}</p><p>{P}</p>", before=before), profiles)
    assert r.record.date == "2020-06-05"
    assert r.record.source == "环球网"


def test_tags_from_rel_tag_not_meta_keywords(profiles):
    head = '<meta name="keywords" content="甲,乙,丙">'
    tags = "<div class='tags'><a rel='tag' href='/t/1'>贸易</a> <a rel='tag' href='/t/2'>中国</a> <a rel='tag' href='/t/1'>贸易</a></div>"
    r = clean(article(f"<p>{P}</p><p>{P}</p>{tags}", head=head), profiles)
    assert r.record.tags == ("贸易", "中国")
    assert "贸易" not in r.record.body_text.split("\n\n")[-1]


def test_title_entities_and_og_title(profiles):
    html = article(f"<p>{P}</p><p>{P}</p>", title="&#x7279;&#x6717;&#x666E;&#x7684;&#x5931;&#x7B97; | Project")
    assert clean(html, profiles).record.title == "特朗普的失算"


def test_index_page_is_skipped(profiles):
    items = "".join(f"<div class='item'><h2><a href='/n/{i}.html'>新闻标题第{i}条比较长的标题</a></h2>"
                    f"<p>这是第{i}条新闻的摘要，内容简短。</p></div>" for i in range(12))
    html = f"<html><head><title>标签：贸易 - 某网</title></head><body><div class='list'>{items}</div></body></html>"
    r = clean(html, profiles)
    assert r.kind in ("index", "search") and r.reason


def test_forum_and_event_pages_are_skipped(profiles):
    forum = ("<html><head><title>灌水区 - 某某论坛 - Powered by Discuz!</title></head><body>"
             f"<div class='post'><p>{P}</p></div><div class='post'><p>{P}</p></div></body></html>")
    assert clean(forum, profiles).kind == "forum"
    event = ('<html><head><title>讲座</title><script type="application/ld+json">{"@type": "Event", "name": "x"}'
             f"</script></head><body><p>{P}</p><p>{P}</p></body></html>")
    assert clean(event, profiles).kind == "event"


def test_explain_says_what_happened(profiles):
    r = clean(article(f"<p>{P}</p><p>{P}</p><p>来源：新华社</p>"), profiles)
    text = "\n".join(r.explain)
    assert "generic extractor" in text and "source" in text and "title" in text


def test_category_links_are_not_tags(profiles):
    cats = "<div class='meta'>分类：<a rel='category tag' href='/c/1'>国际新闻</a></div>"
    tags = "<div class='tags'><a rel='tag' href='/t/1'>贸易</a> <a rel='category' href='/c/2'>财经</a></div>"
    r = clean(article(f"{cats}<p>{P}</p><p>{P}</p>{tags}"), profiles)
    assert r.record.tags == ("贸易",)


def test_share_bars_are_removed_by_class_and_by_text(profiles):
    bars = ("<div class='share-bar'><span>分享到：</span><a href='https://twitter.com/x'>推特</a></div>"
            "<div><span>分享至：</span><a href='https://weibo.com/x'>微博</a> <a href='https://t.me/x'>电报</a></div>")
    r = clean(article(f"<p>{P}</p>{bars}<p>{P}</p><p>{P}</p>"), profiles)
    text = r.record.body_text
    assert text.count(P) == 3 and "分享" not in text and "微博" not in text and "推特" not in text


def test_traditional_source_and_reporter_lines(profiles):
    r = clean(article(f"<p>{P}</p><p>{P}</p><p>來源：青嶼日報</p>"), profiles)
    assert r.record.source == "青嶼日報" and "來源" not in r.record.body_text
    # a credit line in a class the extractor prunes as boilerplate still gives the source
    r = clean(article(f"<p>{P}</p><p>{P}</p><p class='src-info'>來源：北岸電訊社</p>"), profiles)
    assert r.record.source == "北岸電訊社"
    r = clean(article(f"<p>記者：鍾懷瑾</p><p>{P}</p><p>{P}</p>"), profiles)
    assert r.record.author == "鍾懷瑾" and "記者" not in r.record.body_text


def test_relative_urls_dropped_without_base_resolved_with_one(profiles):
    body = f"<p>{P}<img src='pic/1.jpg'><a href='/n/2.html'>下一则</a><a href='#top'>顶部</a></p><p>{P}</p>"
    r = clean(article(body), profiles)
    assert "<img" not in r.record.body_html and "/n/2.html" not in r.record.body_html
    assert "下一则" in r.record.body_text and any("relative URL" in w for w in r.record.warnings)
    head = '<link rel="canonical" href="https://example.com/news/1.html">'
    r = clean(article(body, head=head), profiles)
    assert 'src="https://example.com/news/pic/1.jpg"' in r.record.body_html
    assert 'href="https://example.com/n/2.html"' in r.record.body_html


# ---------------------------------------------------------------------------------------------
# Figures with captions: kept as <figure><img><figcaption>, recognised by structure; the caption
# is shown with its image but is not body text (record.html_to_text leaves <figcaption> out)

IMG = "https://img.example.com/2019/11/a.jpg"
CAPTION_LAYOUTS = {
    "figcaption": f"<figure class='wp-image'><img src='{IMG}' alt='电车'><figcaption>试运行期间电车驶过滨海大道站。</figcaption></figure>",
    "caption class after a linked image": f"<div class='wp-caption'><a href='{IMG}'><img src='{IMG}' alt='电车'></a>"
                                          f"<p class='wp-caption-text'>试运行期间电车驶过滨海大道站。</p></div>",
    "caption span in a br run": f"<div>{P}<br>　　<img src='{IMG}'><br>　　<span class='img_desc'>试运行期间电车驶过滨海大道站。</span><br>"
                                f"　　{P}</div>",
    "centred p after a centred image": f"<p align='center'><img src='{IMG}'></p><p align='center'>试运行期间电车驶过滨海大道站。</p>",
    "图注 line after an image": f"<p><img src='{IMG}'></p><p>图注：试运行期间电车驶过滨海大道站。</p>",
    "rest of a centred paragraph": f"<p style='text-align:center'><img src='{IMG}'><br>试运行期间电车驶过滨海大道站。</p>",
}


@pytest.mark.parametrize("layout", sorted(CAPTION_LAYOUTS))
def test_captioned_images_become_figures(profiles, layout):
    body = f"<p>{P}</p>" + CAPTION_LAYOUTS[layout] + f"<p>{P}</p><p>{P}</p>"
    head = '<link rel="canonical" href="https://example.com/news/1.html">'
    r = clean(article(body, head=head), profiles)
    assert r.kind == "article", r.reason
    html = r.record.body_html
    assert f'<figure><img src="{IMG}"' in html, html
    assert "<figcaption>试运行期间电车驶过滨海大道站。</figcaption></figure>" in html, html
    assert "滨海大道站" not in r.record.body_text and "图注" not in html
    assert r.record.body_text.count(P) >= 3


def test_centred_lines_of_a_photo_blog_are_text_not_captions(profiles):
    lines = ["山路一路上雲氣滯留山頭 順路下切後不久即抵達營地", "美樹美如其名 偌大楓香樹早已呈現金黃",
             "營區內除了露營民宿餐飲 多了許多原木飾品", "入夜前雨絲終於漸漸緩和下來 氣溫很低"]
    body = "".join(f"<p><a href='{IMG}'><img src='{IMG}'></a></p><p style='text-align: center;'>{t}</p>"
                   f"<p style='text-align: center;'>{t}，{t}。</p>" for t in lines)
    r = clean(article(body, head='<link rel="canonical" href="https://example.com/b/1.html">'), profiles)
    assert "<figcaption>" not in r.record.body_html
    for t in lines:
        assert t in r.record.body_text


def test_profile_path_keeps_figure_captions(profiles):
    entry = (f"<div class='post'><h2>港口码头投入运营测试</h2><div class='entry'><p>{P}</p>"
             f"<figure><img src='{IMG}' alt='码头'><figcaption>新码头的岸桥。（记者 林晓 摄）</figcaption></figure>"
             f"<div class='wp-caption'><img src='{IMG}'><p class='wp-caption-text'>货轮靠泊。</p></div>"
             f"<p>{P}</p><p class='src-info'>来源：晨钟日报</p></div></div>")
    page = ("<html><head><title>港口码头投入运营测试 | 禁闻网</title>"
            "<link rel='canonical' href='https://www.bannedbook.org/bnews/cbnews/20220719/1.html'></head>"
            f"<body class='single'>{entry}</body></html>")
    r = clean(page, profiles)
    assert any("wordpress-bannedbook" in line for line in r.explain)
    html = r.record.body_html
    assert f'<figure><img src="{IMG}" alt="码头"><figcaption>新码头的岸桥。（记者 林晓 摄）</figcaption></figure>' in html
    assert f'<figure><img src="{IMG}" alt=""><figcaption>货轮靠泊。</figcaption></figure>' in html
    assert "岸桥" not in r.record.body_text and "货轮靠泊" not in r.record.body_text


def test_sanitizer_keeps_figure_and_figcaption():
    from sitegen.sanitize import sanitize
    html = f'<figure><img src="{IMG}" alt="a"><figcaption>说明 <a href="https://e.com/">来源</a></figcaption></figure>'
    out = sanitize(html)
    assert out.startswith(f'<figure><img src="{IMG}" alt="a"><figcaption>说明 <a href="https://e.com/"')
    assert out.endswith("</figcaption></figure>")


# --- the parser reads a UTF-8 page's own bytes (no second encoding of the text) ---------------
@pytest.mark.parametrize("raw", [
    "<html><body><p>正文，标点！</p></body></html>".encode(),
    b"<html><body><p>plain ascii</p></body></html>",
    "\ufeff<html><body><p>前\ufeff后</p></body></html>".encode(),
    "<html><body><p>控\x01制\x7f字\ufffe符\uffff</p></body></html>".encode(),
    b"<html><body><p>nul\x00byte</p></body></html>",
    "<html><head><meta charset=gbk></head><body><p>国标码</p></body></html>".encode("gb18030"),
])
def test_decoded_utf8_bytes_are_the_text_and_parse_the_same(raw: bytes) -> None:
    from lxml import etree

    from sitegen.decode import decode

    dec = decode(raw)
    if dec.utf8 is not None:
        assert dec.utf8 == dec.text.encode("utf-8")
    a = X.parse_html(dec.text, dec.utf8)
    b = X.parse_html(dec.text)
    assert etree.tostring(a, encoding="unicode") == etree.tostring(b, encoding="unicode")
    text = a.text_content()
    assert not any(c in text for c in "\x00\x01\x7f\ufffe\uffff\ufeff")
