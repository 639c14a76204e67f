#!/usr/bin/env python3
"""Deterministic benchmark corpus: N Chinese news articles, written four ways.

    OUT/html/content/bnews/<cat>/<YYYYMMDD>/<id>.html   raw mirrored pages in the bannedbook
                                                        WordPress markup (the seed page's: h2 title,
                                                        p.notice, div.entry with keyword-link spans
                                                        and rel=tag Simple-Tags links, related lists,
                                                        p.src-info, ad slots) inside full-page chrome
                                                        (head with scripts, header, nav, sidebar,
                                                        footer): 51-55 KB a page
    OUT/md/content/bnews/<cat>/<YYYYMMDD>/<id>.md       the same articles as sitegen Markdown records
    OUT/hugo/content/posts/<id>.md                      the same articles for Hugo (YAML front matter)
    OUT/pelican/content/<id>.md                         the same articles for Pelican

Two corpora (``--corpus``):

  shared  (default) the articles of ../shared/bench/make_corpus.py, on which the issue's anchors
          were measured: make_corpus.py writes the Hugo and Pelican trees itself (as anchors.sh
          runs it), and the same articles are wrapped as raw pages and sitegen records
          (``Article.from_text``: the plugins' links wrap words already in the text, all tags are
          in a theme tag line under the title), so cleaning a raw page gives back the record's
          title, date, tags, source, text and links. make_corpus.py is imported and run from where
          it is, never copied here.
  own     this module's generator (``Article.synthetic``), written after make_corpus.py: ~15
          paragraphs, ~3,000-3,400 CJK characters, 2-6 tags from a 200-name Zipf pool, 1-4 links,
          plus keyword-link and tag-link words inserted into the text. Same statistics, other
          articles (another random stream).

Same --seed and --n give byte-identical trees. No real article is copied.

Usage: make_pages.py --n 1000 --out /tmp/sg-bench/1000 [--corpus shared|own] [--seed 42]
                     [--only html,md,hugo,pelican]

``edit_article(path)`` (used by the runner) appends one paragraph to an article in any layout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import random
import re
import subprocess
import sys
from pathlib import Path

WORDS = """
经济 发展 政府 部门 记者 报道 表示 会议 工作 建设 社会 国家 城市 农村 企业 市场
改革 创新 政策 项目 投资 增长 全国 地区 人民 群众 服务 管理 问题 情况 措施 推进
落实 加强 提高 实现 推动 促进 完善 保障 安全 环境 生态 保护 教育 学生 学校 医疗
卫生 健康 疫情 防控 交通 铁路 高速 机场 港口 能源 电力 科技 技术 研究 数据 网络
平台 产业 制造 农业 粮食 价格 消费 就业 收入 居民 住房 文化 旅游 体育 比赛 国际
合作 关系 外交 会谈 代表 委员 人大 政协 法律 法院 公安 警方 案件 调查 事故 救援
天气 降雨 气温 专家 认为 指出 强调 介绍 今年 去年 上半年 同比 百分之 亿元 万人
目前 近日 日前 此外 同时 据悉 另外 随后 已经 正在 将会 进一步 持续 稳定 有效 重要
""".split()

REGIONS = """
北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆
香港 澳门 深圳 广州 杭州 南京 武汉 成都 西安 苏州 厦门 青岛 大连 长沙 郑州 昆明
""".split()

TOPICS = """
经济 财经 金融 股市 房地产 科技 互联网 人工智能 教育 高考 医疗 疫情 环保 气候 交通
铁路 航空 能源 汽车 新能源汽车 农业 粮食安全 食品安全 文化 旅游 体育 足球 篮球 奥运会
军事 外交 法治 反腐 社会 民生 就业 养老 住房 扶贫 乡村振兴 一带一路 两会 国企改革
知识产权 电子商务 物流 芯片 航天 海洋 水利 地震 台风 暴雨 考古 电影 音乐 出版
""".split()

EXTRA_TAGS = ["AI", "5G网络", "C919", "GDP", "iPhone", "新冠肺炎", "COVID-19"]
CATEGORIES = ["cbnews", "ssgc", "comments", "itnews", "bannedvideo", "essay"]
SOURCES = ["大纪元", "新唐人", "看中国", "自由亚洲电台", "美国之音", "希望之声"]
KEYWORDS = [("中国", "https://www.bannedbook.org/"), ("新闻", "https://www.bannedbook.org/"),
            ("大纪元", "http://www.epochtimes.com/"), ("新唐人", "https://www.ntdtv.com/"),
            ("高层", "https://www.bannedbook.org/bnews/ccpdope/")]
CLOSERS = "。。。。！？"
SITE = "https://www.bannedbook.org"


def tag_pool(size: int = 200) -> list[str]:
    pool = list(dict.fromkeys(TOPICS + REGIONS + EXTRA_TAGS))
    rng = random.Random(7)
    while len(pool) < size:
        t = rng.choice(REGIONS) + rng.choice(TOPICS)
        if t not in pool:
            pool.append(t)
    rng.shuffle(pool)
    return pool[:size]


def sentence(rng: random.Random, lo: int = 6, hi: int = 16) -> str:
    n = rng.randint(lo, hi)
    words = [rng.choice(WORDS) for _ in range(n)]
    cut = rng.randint(2, n - 2) if n > 4 else 0
    if cut:
        words.insert(cut, "，")
    return "".join(words) + rng.choice(CLOSERS)



_MD_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
# keyword-link words for given text (WP Keyword Link links configured words wherever they occur)
TEXT_KEYWORDS = [("经济", "https://www.bannedbook.org/"), ("政府", "https://www.bannedbook.org/bnews/ccpdope/"),
                 ("记者", "http://www.epochtimes.com/"), ("报道", "https://www.ntdtv.com/"),
                 ("国际", "https://www.bannedbook.org/")]


def _wrap_first(pieces: list[tuple], word: str, piece: tuple) -> bool:
    """Replace the first occurrence of ``word`` in a text piece by ``piece``; False if none."""
    for k, p in enumerate(pieces):
        if p[0] == "text" and word in p[1]:
            before, after = p[1].split(word, 1)
            pieces[k:k + 1] = [x for x in (("text", before), piece, ("text", after)) if x[0] != "text" or x[1]]
            return True
    return False

class Article:
    """One article as data; each layout renders it. Paragraphs are lists of pieces:
    ("text", s), ("link", label, url), ("kw", word, url) (keyword spam), ("tag", name).

    ``Article.synthetic`` makes one from this module's generator (the "own" corpus);
    ``Article.from_text`` wraps any article given its title, date, tags and paragraphs (the
    "shared" corpus: the articles of ../shared/bench/make_corpus.py)."""

    def __init__(self, i: int, title: str, date: dt.datetime, tags: list[str], paras: list[list[tuple]],
                 category: str, source: str, tag_line: bool = False):
        self.i = i
        self.aid = f"a{i:06d}"
        self.title, self.date, self.tags, self.paras = title, date, tags, paras
        self.category, self.source = category, source
        self.num = 2000000 + i
        # a theme's tag line (WordPress ``the_tags()``: rel=tag links) under the title, for tags
        # that the text does not contain (Simple Tags only links words found in the text)
        self.tag_line = tag_line

    @classmethod
    def synthetic(cls, rng: random.Random, i: int, pool: list[str], weights: list[float]) -> "Article":
        aid = f"a{i:06d}"
        title = "".join(rng.choice(WORDS) for _ in range(rng.randint(4, 8)))
        start = dt.datetime(2015, 1, 1, 8, 0)
        date = start + dt.timedelta(minutes=rng.randrange(0, 10 * 365 * 24 * 60))
        k = rng.randint(2, 6)
        tags: list[str] = []
        while len(tags) < k:
            t = rng.choices(pool, weights=weights)[0]
            if t not in tags:
                tags.append(t)
        category = rng.choice(CATEGORIES)
        source = rng.choice(SOURCES)
        link_paras = set(rng.sample(range(15), rng.randint(1, 4)))
        tag_paras = sorted(rng.sample(range(15), len(tags)))  # tags appear in page order
        paras: list[list[tuple]] = []
        for p in range(15):
            s: list[tuple] = [("text", sentence(rng)) for _ in range(rng.randint(7, 11))]
            if p in link_paras:
                j = rng.randrange(len(s))
                label = rng.choice(WORDS) + rng.choice(WORDS)
                s.insert(j, ("link", label, f"https://news.example.com/{aid}/{j}.html"))
            if rng.random() < 0.4:
                w, u = rng.choice(KEYWORDS)
                s.insert(rng.randrange(len(s)), ("kw", w, u))
            if p in tag_paras:
                s.insert(rng.randrange(len(s)) , ("tag", tags[tag_paras.index(p)]))
            paras.append(s)
        return cls(i, title, date, tags, paras, category, source)

    @classmethod
    def from_text(cls, i: int, title: str, date: dt.datetime, tags: list[str], paragraphs: list[str],
                  rng: random.Random) -> "Article":
        """Wrap a given article. ``paragraphs`` are Markdown text with inline ``[label](url)``
        links. The raw page decorates the text the way the bannedbook plugins do, without changing
        it: WP Keyword Link wraps the first occurrence of a keyword in ~40% of the paragraphs,
        Simple Tags links the first occurrence of each tag name in the text; all tags are also in
        the tag line. ``rng`` picks the category, the source and the keyword links only, so
        cleaning the page gives back the same title, date, tags and text as the Markdown."""
        category = rng.choice(CATEGORIES)
        source = rng.choice(SOURCES)
        paras: list[list[tuple]] = []
        for text in paragraphs:
            pieces: list[tuple] = []
            pos = 0
            for m in _MD_LINK.finditer(text):
                if m.start() > pos:
                    pieces.append(("text", text[pos:m.start()]))
                pieces.append(("link", m[1], m[2]))
                pos = m.end()
            if pos < len(text):
                pieces.append(("text", text[pos:]))
            if rng.random() < 0.4:
                present = [(w, u) for w, u in TEXT_KEYWORDS if any(x[0] == "text" and w in x[1] for x in pieces)]
                if present:
                    word, url = rng.choice(present)
                    _wrap_first(pieces, word, ("kw", word, url))
            paras.append(pieces)
        for t in tags:
            for pieces in paras:
                if _wrap_first(pieces, t, ("tag", t)):
                    break
        return cls(i, title, date, list(tags), paras, category, source, tag_line=True)

    @property
    def rel(self) -> str:
        return f"bnews/{self.category}/{self.date:%Y%m%d}/{self.num}"

    @property
    def url(self) -> str:
        return f"{SITE}/{self.rel}.html"

    # --- Markdown (sitegen records, Hugo, Pelican) ---------------------------------------
    def md_body(self) -> str:
        out = []
        for s in self.paras:
            parts = []
            for piece in s:
                if piece[0] == "link":
                    parts.append(f"[{piece[1]}]({piece[2]})")
                else:  # keyword spam and tag links are unwrapped to text by the cleaner
                    parts.append(piece[1])
            out.append("".join(parts))
        return "\n\n".join(out) + "\n"

    def markdown(self, layout: str) -> str:
        tl = ", ".join(f'"{t}"' for t in self.tags)
        if layout == "pelican":
            head = (f"Title: {self.title}\nDate: {self.date:%Y-%m-%d %H:%M}\n"
                    f"Tags: {', '.join(self.tags)}\n\n")
        elif layout == "hugo":
            head = f'---\ntitle: "{self.title}"\ndate: {self.date:%Y-%m-%dT%H:%M:%S}+08:00\ntags: [{tl}]\n---\n\n'
        else:  # sitegen record
            head = (f'---\ntitle: "{self.title}"\ndate: {self.date:%Y-%m-%dT%H:%M:%S}+08:00\ntags: [{tl}]\n'
                    f"source: {self.source}\nurl: {self.url}\n---\n\n")
        return head + self.md_body()

    # --- raw HTML in the bannedbook markup -------------------------------------------------
    def entry_html(self) -> str:
        out = []
        for s in self.paras:
            parts = []
            for piece in s:
                kind = piece[0]
                if kind == "text":
                    parts.append(html.escape(piece[1], quote=False))
                elif kind == "link":
                    parts.append(f'<a href="{piece[2]}">{html.escape(piece[1])}</a>')
                elif kind == "kw":
                    parts.append(f"<span class='wp_keywordlink_affiliate'><a href=\"{piece[2]}\" "
                                 f'title="{piece[1]}" target="_blank">{piece[1]}</a></span>')
                else:
                    from urllib.parse import quote
                    t = piece[1]
                    parts.append(f'<a href="{SITE}/bnews/tag/{quote(t).lower()}/" class="st_tag internal_tag" '
                                 f'rel="tag" title="标签 {html.escape(t)} 下的日志">{html.escape(t)}</a>')
            out.append("<p>" + "".join(parts) + "</p>")
        return " ".join(out)

    def page_html(self, chrome: "Chrome", rng: random.Random) -> str:
        related = "".join(
            f"<li><a href='{SITE}/bnews/cbnews/2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}/"
            f"{rng.randint(1000000, 2999999)}.html' target='_blank'>{sentence(rng, 5, 9)}</a></li> "
            for _ in range(5))
        tag_line = ""
        if self.tag_line:
            from urllib.parse import quote
            tag_line = ('<p class="post-tags">标签：' + "，".join(
                f'<a href="{SITE}/bnews/tag/{quote(t).lower()}/" rel="tag">{html.escape(t)}</a>' for t in self.tags)
                + "</p> ")
        article = (
            f' <!-- 面包屑导航 --> <h2>{html.escape(self.title)}</h2> {tag_line}<p class="notice"><b>大陆网友注意：本文中的链接除 '
            f'<a href="https://github.com/bannedbook/fanqiang" >翻墙</a>软件下载和<a href="https://github.com/killgcd/'
            f'justmysocks/blob/master/README.md">翻墙推荐</a>链接外全部为禁网链接，未翻墙状态下打不开，请勿点击。</p>'
            f'<p>备注：翻墙看新闻非常安全，翻墙以真实身份发表敏感言论有一定风险，但只看不说则没有任何风险。</b></p>  '
            f'<div class="entry"> {self.entry_html()} <!--<div id="taboola-mid-1"></div>-->'
            f"<ul class='op-related-articles' title='相关阅读'> {related}</ul> "
            f'<ul class="texttj"> <li>🔥<a href="{SITE}/bnews/ssgc/20230219/1850782.html" target="_blank">'
            f'{sentence(rng, 5, 8)}</a></li> <li>🔥<a href="https://github.com/bannedbook/fanqiang/wiki" '
            f'target="_blank">免费PC翻墙、安卓VPN翻墙APP</a></li> </ul><p class="src-info">来源：{self.source} </p> '
            f"<a name='sharetosocial'></a> <div style=\"margin-bottom:5px;padding-bottom:5px;clear:both\"> "
            f'<div id="archive-pix-1" class="banner-ads"> <!-- AuctionX Display platform tag START --> '
            f'<div id="27602x728x90x621x_ADSLOT1" clicktrack="%%CLICK_URL_ESC%%"></div>  '
            f"<!-- AuctionX Display platform tag END --> </div> </div></div><!--END ENTRY--> ")
        return chrome.wrap(self, article, rng)


class Chrome:
    """Full-page WordPress chrome around an article: head (styles, inline scripts, JSON config),
    header, navigation menu, sidebar widgets, footer, trailing scripts."""

    def __init__(self, pool: list[str]):
        rng = random.Random(11)
        self.menu = "".join(
            f'<li id="menu-item-{100 + i}" class="menu-item menu-item-type-taxonomy menu-item-object-category '
            f'menu-item-{100 + i}"><a href="{SITE}/bnews/{c}/">{t}</a></li>'
            for i, (c, t) in enumerate((rng.choice(CATEGORIES), "".join(rng.choice(WORDS) for _ in range(2)))
                                       for _ in range(40)))
        self.cloud = "".join(
            f'<a href="{SITE}/bnews/tag/t{i}/" class="tag-cloud-link tag-link-{i} tag-link-position-{i + 1}" '
            f'style="font-size: {8 + (i * 7) % 14}pt;" aria-label="{t} ({200 - i}个项目)">{t}</a>\n'
            for i, t in enumerate(pool[:50]))
        self.footer = "".join(f'<li><a href="{SITE}/page/{i}/">{"".join(rng.choice(WORDS) for _ in range(3))}</a></li>'
                              for i in range(40))
        cfg = ",".join(f'"k{i}":"{"".join(rng.choice("abcdef0123456789") for _ in range(24))}"' for i in range(60))
        self.head_scripts = (
            "<script type='text/javascript'>/* <![CDATA[ */ var wpConfig = {" + cfg + "}; /* ]]> */</script>\n"
            + "".join(f"<link rel='stylesheet' id='style-{i}-css' href='{SITE}/wp-content/plugins/p{i}/style.css?ver=5.{i}' "
                      f"type='text/css' media='all' />\n" for i in range(12))
            + "<script>(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){(i[r].q=i[r].q||[])"
              ".push(arguments)},i[r].l=1*new Date();a=s.createElement(o),m=s.getElementsByTagName(o)[0];a.async=1;"
              "a.src=g;m.parentNode.insertBefore(a,m)})(window,document,'script','//www.google-analytics.com/analytics.js','ga');"
              "ga('create', 'UA-00000000-1', 'auto');ga('send', 'pageview');</script>\n"
            + "<style>" + "".join(f".w{i}{{margin:{i}px;padding:{i % 7}px;color:#{i * 37 % 4096:03x}}}" for i in range(100))
            + "</style>\n")
        self.tail_scripts = "".join(
            f"<script type='text/javascript' src='{SITE}/wp-includes/js/s{i}.min.js?ver=4.{i}'></script>\n" for i in range(15)
        ) + "<script>" + ";".join(f"window.__ad{i}=function(a,b){{return a*{i}+b}}" for i in range(80)) + "</script>\n"

    def wrap(self, a: Article, article_html: str, rng: random.Random) -> str:
        recent = "".join(f'<li><a href="{SITE}/bnews/cbnews/2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}/'
                         f'{rng.randint(1000000, 2999999)}.html">{sentence(rng, 4, 8)}</a></li>' for _ in range(30))
        hot = "".join(f'<li><span class="rank">{k + 1}</span><a href="{SITE}/bnews/ssgc/2023{rng.randint(1, 12):02d}'
                      f'{rng.randint(1, 28):02d}/{rng.randint(1000000, 2999999)}.html">{sentence(rng, 4, 8)}</a></li>'
                      for k in range(15))
        title = html.escape(a.title)
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="UTF-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
            f"<title>{title} | 禁闻网</title>\n"
            f'<link rel="canonical" href="{a.url}" />\n'
            f'<meta property="og:url" content="{a.url}" />\n<meta property="og:site_name" content="禁闻网" />\n'
            f'<meta property="article:published_time" content="{a.date:%Y-%m-%dT%H:%M:%S}+08:00" />\n'
            f"{self.head_scripts}</head>\n"
            f'<body class="post-template-default single single-post postid-{a.num} single-format-standard">\n'
            f'<div id="page" class="hfeed site"><header id="masthead" class="site-header" role="banner">'
            f'<div class="site-branding"><a href="{SITE}/" rel="home">禁闻网</a><p class="site-description">'
            f'翻墙看新闻</p></div><nav id="site-navigation" class="main-navigation" role="navigation">'
            f'<ul id="menu-main" class="menu">{self.menu}</ul></nav>'
            f'<form role="search" method="get" class="search-form" action="{SITE}/"><input type="search" name="s" />'
            f'</form></header>\n<div id="content" class="site-content"><div id="primary" class="content-area">'
            f'<main id="main" class="site-main" role="main"><div class="post" id="post-{a.num}">'
            f"{article_html}</div>\n"
            f'<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous">'
            f'<a href="{SITE}/bnews/{a.category}/{a.num - 1}.html" rel="prev">上一篇</a></div>'
            f'<div class="nav-next"><a href="{SITE}/bnews/{a.category}/{a.num + 1}.html" rel="next">下一篇</a>'
            f"</div></div></nav></main></div>\n"
            f'<div id="secondary" class="widget-area" role="complementary">'
            f'<aside id="recent-posts-2" class="widget widget_recent_entries"><h3 class="widget-title">最新文章</h3>'
            f"<ul>{recent}</ul></aside>"
            f'<aside id="hot-2" class="widget widget_hot"><h3 class="widget-title">热门文章</h3><ul>{hot}</ul></aside>'
            f'<aside id="tag_cloud-2" class="widget widget_tag_cloud"><h3 class="widget-title">标签</h3>'
            f'<div class="tagcloud">{self.cloud}</div></aside></div></div>\n'
            f'<footer id="colophon" class="site-footer" role="contentinfo"><ul class="footer-links">{self.footer}</ul>'
            f'<div class="site-info">© 禁闻网 版权所有</div></footer></div>\n{self.tail_scripts}</body>\n</html>\n')


def articles(n: int, seed: int = 42):
    pool = tag_pool()
    weights = [1.0 / (r + 1) for r in range(len(pool))]
    rng = random.Random(seed)
    for i in range(n):
        yield Article.synthetic(rng, i, pool, weights)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(n: int, out: Path, seed: int = 42, only=("html", "md", "hugo", "pelican")) -> dict:
    chrome = Chrome(tag_pool())
    prng = random.Random(seed + 1)  # page chrome randomness, separate from the article text
    sizes = []
    paths = {}
    for a in articles(n, seed):
        _write_sitegen(a, out, only, chrome, prng, sizes)
        if "hugo" in only:
            write(out / "hugo/content/posts" / (a.aid + ".md"), a.markdown("hugo"))
        if "pelican" in only:
            write(out / "pelican/content" / (a.aid + ".md"), a.markdown("pelican"))
        if a.i == n // 2:
            paths = _middle(a.rel, a.aid)
    return _info(n, "own", sizes, paths)


def _write_sitegen(a: "Article", out: Path, only, chrome, prng, sizes: list[int]) -> None:
    """An article as sitegen's two sources: a raw mirrored page and a Markdown record."""
    if "html" in only:
        page = a.page_html(chrome, prng)
        sizes.append(len(page.encode("utf-8")))
        write(out / "html/content" / (a.rel + ".html"), page)
    if "md" in only:
        write(out / "md/content" / (a.rel + ".md"), a.markdown("sitegen"))


def _middle(rel: str, aid: str) -> dict:
    """Where the article the one-article rebuild edits lies, for each tool."""
    return {"html": f"html/content/{rel}.html", "md": f"md/content/{rel}.md",
            "hugo": f"hugo/content/posts/{aid}.md", "pelican": f"pelican/content/{aid}.md"}


def _info(n: int, corpus: str, sizes: list[int], paths: dict) -> dict:
    return {"n": n, "html_bytes_min": min(sizes, default=0), "html_bytes_max": max(sizes, default=0),
            "html_bytes_avg": sum(sizes) // max(1, len(sizes)), "middle": paths, "corpus": corpus}



SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"  # ../shared/bench from the repo


def _make_corpus(shared: Path):
    """Import ../shared/bench/make_corpus.py (read where it is, never copied into this repository)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("shared_make_corpus", shared / "make_corpus.py")
    if spec is None or not (shared / "make_corpus.py").is_file():
        raise SystemExit(f"no {shared / 'make_corpus.py'}: the shared corpus needs the anchors harness")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def generate_shared(n: int, out: Path, seed: int = 42, only=("html", "md", "hugo", "pelican"),
                    python: str = sys.executable, shared: Path = SHARED_BENCH) -> dict:
    """The articles the issue's anchors were measured on: ``make_corpus.py`` itself writes the Hugo
    and Pelican trees (run as ``anchors.sh`` runs it: ``--layout hugo|pelican --n N --out SITE``,
    default seed 42), and its ``article()`` gives the same articles again, in the same order, to
    write as raw bannedbook pages and as sitegen Markdown records. Each article is checked against
    the Hugo file make_corpus.py wrote (same front matter and body), so a change there cannot make
    the sitegen side silently differ."""
    mc = _make_corpus(shared)
    for layout in ("hugo", "pelican"):
        if layout in only:
            subprocess.run([python, str(shared / "make_corpus.py"), "--layout", layout, "--n", str(n),
                            "--out", str(out / layout), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    # make_corpus.main()'s loop: pool, Zipf weights (exponent 1.0, its default), seeded rng, start date
    pool = mc.tag_pool()
    weights = [1.0 / (r + 1) ** 1.0 for r in range(len(pool))]
    rng = random.Random(seed)
    start = dt.datetime(2015, 1, 1, 8, 0)
    extra = random.Random(seed + 2)  # category, source, keyword links: not part of the article
    chrome = Chrome(tag_pool())
    prng = random.Random(seed + 1)  # page chrome
    sizes = []
    paths = {}
    for i in range(n):
        aid = f"a{i:06d}"
        title, date, tags, body = mc.article(rng, aid, weights, pool, start)
        if "hugo" in only:
            written = (out / "hugo/content/posts" / f"{aid}.md").read_text(encoding="utf-8")
            if written != mc.render("hugo", title, date, tags, body):
                raise SystemExit(f"{aid}: make_corpus.py wrote another article than its article() gives "
                                 "(its main loop changed?): update generate_shared")
        a = Article.from_text(i, title, date, tags, body.split("\n\n"), extra)
        if a.md_body() != body + "\n":
            raise SystemExit(f"{aid}: the pieces do not give back make_corpus.py's text")
        _write_sitegen(a, out, only, chrome, prng, sizes)
        if i == n // 2:  # anchors.sh edits a%06d of N/2
            paths = _middle(a.rel, aid)
    return _info(n, "shared", sizes, paths)

def edit_article(path: Path, stamp: str) -> None:
    """Append a paragraph to one article (raw HTML: inside div.entry; Markdown: at the end)."""
    text = path.read_text(encoding="utf-8")
    para = f"补充报道：记者{stamp}获悉，相关部门已经作出回应。"
    if path.suffix == ".html":
        marker = "<!--<div id=\"taboola-mid-1\"></div>-->"
        if marker not in text:
            raise ValueError(f"{path}: no place to add a paragraph")
        # before the marker, which stays for the next edit (each edit must change the page)
        text = text.replace(marker, f" <p>{para}</p>{marker}", 1)
    else:
        text += f"\n\n{para}\n"  # as anchors.sh's touch_one
    path.write_text(text, encoding="utf-8")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--only", default="html,md,hugo,pelican")
    ap.add_argument("--corpus", choices=("shared", "own"), default="shared",
                    help="shared: the articles of ../shared/bench/make_corpus.py (the anchors'); "
                         "own: this module's generator")
    a = ap.parse_args()
    only = tuple(a.only.split(","))
    info = (generate_shared(a.n, a.out, a.seed, only) if a.corpus == "shared" else generate(a.n, a.out, a.seed, only))
    print(f"wrote {a.n} articles to {a.out} ({a.only}); raw HTML pages "
          f"{info['html_bytes_min'] // 1024}-{info['html_bytes_max'] // 1024} KB, avg {info['html_bytes_avg'] // 1024} KB")


if __name__ == "__main__":
    main()
