"""The pipeline end to end on small sites written by the tests themselves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError, ConfigError

from conftest import bump_mtime, make_site
from sitecheck import broken_links, html_files, soup_of


def wp_page(title: str, tags: list[str], paras: int = 3, source: str | None = "晨钟日报", extra: str = "") -> str:
    """A page in the bannedbook WordPress markup (fragment form, like the seed)."""
    links = "".join(
        f'<a href="https://www.bannedbook.org/bnews/tag/{quote(t)}/" class="st_tag internal_tag" rel="tag" '
        f'title="标签 {t} 下的日志">{t}</a>，' for t in tags)
    body = "".join(f"<p>第{i}段：{title}的正文内容，这里有足够长的中文句子来构成一个段落。" + "为了让摘要只来自第一段，每段都写得比较长一些，内容都是虚构的。" * 3 + f"{links if i == 0 else ''}</p>"
                   for i in range(paras))
    src = f'<p class="src-info">来源：{source} </p>' if source else ""
    return (f'<h2>{title}</h2> <p class="notice"><b>大陆网友注意：请勿点击。</p><p>备注：翻墙看新闻非常安全。</b></p>'
            f'<div class="entry">{body}{extra}<ul class="op-related-articles"><li><a href="https://www.bannedbook.org/bnews/x/20990101/1.html">相关</a></li></ul>'
            f'{src}<div class="banner-ads"><div id="ADSLOT1"></div></div></div>')


def small_site(root: Path, n: int = 7, page_size: int = 3) -> Path:
    pages = {}
    for i in range(n):
        tags = ["公共"] + (["偶数"] if i % 2 == 0 else ["奇数"]) + (["C/C++"] if i == 3 else [])
        pages[f"bnews/cbnews/2024010{i + 1}/10000{i}.html"] = wp_page(f"测试文章{i}", tags)
    pages["bnews/essay/900001.html"] = wp_page("无日期文章", ["公共"])
    pages["bnews/essay/900002.html"] = wp_page("另一篇无日期文章", ["公共"])
    return make_site(root, pages, f'title = "测试镜像"\npage_size = {page_size}\n')


def test_small_site_structure(tmp_path):
    root = small_site(tmp_path)
    report = build(load_config(root), jobs=1)
    out = root / "_site"
    assert report.errors == []
    assert report.articles == 9
    # every record has a page, at its mirrored path
    for i in range(7):
        page = out / f"bnews/cbnews/2024010{i + 1}/10000{i}.html"
        assert page.is_file()
        soup = soup_of(page)
        assert soup.h1.get_text() == f"测试文章{i}"
        assert "来源：晨钟日报" in soup.get_text()
        assert "大陆网友注意" not in soup.get_text() and "相关" not in soup.select_one(".article-body").get_text()
    # home: newest first, undated last, paginated 3 a page and chained
    titles, path, seen = [], out / "index.html", set()
    while path:
        assert path not in seen
        seen.add(path)
        soup = soup_of(path)
        titles += [a.get_text() for a in soup.select(".entries h2 a")]
        nxt = soup.select_one(".pagination a.next")
        path = (path.parent / nxt["href"]).resolve() if nxt else None
    assert titles == [f"测试文章{i}" for i in range(6, -1, -1)] + ["无日期文章", "另一篇无日期文章"]  # undated: by path
    assert len(seen) == 3
    # every tag has a page with exactly its articles
    for tag, expect in {"偶数": {0, 2, 4, 6}, "奇数": {1, 3, 5}, "C/C++": {3}}.items():
        tag_dir = out / "tags" / tag.replace("/", "-")
        got = set()
        for page in tag_dir.rglob("index.html"):
            got |= {a.get_text() for a in soup_of(page).select(".entries h2 a")}
        assert got == {f"测试文章{i}" for i in expect}, tag
    overview = soup_of(out / "tags/index.html")
    counts = {a.get_text(): a.find_next("span").get_text() for a in overview.select(".tag-cloud a")}
    assert counts == {"公共": "9", "偶数": "4", "奇数": "3", "C/C++": "1"}
    assert broken_links(out) == []
    assert (out / "static/style.css").is_file() and (out / "404.html").is_file()


def test_tag_links_keep_chinese_text_percent_encoded(tmp_path):
    root = small_site(tmp_path)
    build(load_config(root), jobs=1)
    soup = soup_of(root / "_site/bnews/cbnews/20240101/100000.html")
    hrefs = [a["href"] for a in soup.select("ul.tags a")]
    assert hrefs[0] == "../../../tags/" + quote("公共") + "/index.html"


def test_hostile_tags_never_leave_the_output_folder(tmp_path):
    tags = ["../../escape", "..", "/etc/passwd", "a\\b", "CON", "长" * 90, "%2e%2e", "\u202e反转", "x/../..", "..."]
    root = make_site(tmp_path, {"bnews/a/20240101/1.html": wp_page("标签攻击", tags)})
    report = build(load_config(root), jobs=1)
    assert report.errors == []
    tags = _tags_of(root / "content/bnews/a/20240101/1.html")
    assert len(tags) >= 8
    out = (root / "_site").resolve()
    for f in tmp_path.rglob("*"):
        if f.is_file() and "_site" not in f.parts and ".sitegen" not in f.parts and "content" not in f.parts:
            pytest.fail(f"file written outside the output folder: {f}")
    for f in out.rglob("*"):
        assert f.resolve().is_relative_to(out)
    assert len(list((out / "tags").iterdir())) == len(tags) + 1  # + tags/index.html
    assert broken_links(out) == []


def _tags_of(page: Path) -> list[str]:
    r = subprocess.run([sys.executable, "-m", "sitegen", "clean", "--json", str(page)], capture_output=True, text=True)
    return json.loads(r.stdout)["tags"]


def test_bad_page_is_reported_and_others_still_build(tmp_path):
    root = small_site(tmp_path, n=2)
    (root / "content/bnews/broken.html").write_bytes(b"")
    (root / "content/bnews/binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (root / "content/notes/bad.md").parent.mkdir()
    (root / "content/notes/bad.md").write_text("---\ntitle: [unclosed\n---\n正文\n", encoding="utf-8")
    report = build(load_config(root), jobs=1)
    failed = dict(report.errors)
    assert set(failed) == {"bnews/broken.html", "bnews/binary.html", "notes/bad.md"}
    assert all(reason for reason in failed.values())
    assert report.articles == 4
    r = subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "error: bnews/binary.html:" in r.stderr and "built 4 articles" in r.stderr


def test_markdown_record_and_correction_override(tmp_path):
    root = small_site(tmp_path, n=2)
    (root / "content/bnews/cbnews/20240101/100000.md").write_text(
        "---\ntitle: 更正后的标题\ndate: 2024-01-01\ntags: [公共, 更正]\nsource: 编辑部\n---\n\n# 小标题\n\n正文**加粗**。\n",
        encoding="utf-8")
    report = build(load_config(root), jobs=1)
    assert ("bnews/cbnews/20240101/100000.html", "superseded") in [(p, k) for p, k, _ in report.skipped]
    soup = soup_of(root / "_site/bnews/cbnews/20240101/100000.html")
    assert soup.h1.get_text() == "更正后的标题"
    assert soup.select_one(".article-body strong").get_text() == "加粗"
    assert (root / "_site/tags/更正/index.html").is_file()


def test_incremental_rebuild_writes_only_what_changed(tmp_path):
    root = small_site(tmp_path)
    # The search index changes with any article too (its reuse is tested in test_publish.py).
    with open(root / "sitegen.toml", "a", encoding="utf-8") as fh:
        fh.write("search = false\n")
    cfg = load_config(root)
    first = build(cfg, jobs=1)
    second = build(cfg, jobs=1)
    assert second.cleaned == 0 and second.rendered == 0 and second.written == 0
    page = root / "content/bnews/cbnews/20240101/100000.html"
    # the last paragraph: not part of the summary that index pages show
    page.write_text(page.read_text(encoding="utf-8").replace("第2段", "第2段（更新）"), encoding="utf-8")
    bump_mtime(page)
    third = build(cfg, jobs=1)
    assert third.cleaned == 1
    assert third.written == 1  # only the article's own page shows the body
    assert "（更新）" in (root / "_site/bnews/cbnews/20240101/100000.html").read_text(encoding="utf-8")
    page.unlink()
    fourth = build(cfg, jobs=1)
    assert not (root / "_site/bnews/cbnews/20240101/100000.html").exists()
    assert fourth.removed >= 1 and broken_links(root / "_site") == []
    assert first.outputs > fourth.outputs


def test_template_error_leaves_previous_site(tmp_path):
    root = small_site(tmp_path, n=2)
    cfg = load_config(root)
    build(cfg, jobs=1)
    before = {p: p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()}
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text("{% extends 'base.html' %}{% block main %}{{ article.title }\n{% endblock %}",
                                                 encoding="utf-8")
    page = root / "content/bnews/cbnews/20240101/100000.html"
    page.write_text(page.read_text(encoding="utf-8").replace("测试文章0", "改过的标题"), encoding="utf-8")
    bump_mtime(page)
    with pytest.raises(BuildError, match=r"article.html:1"):
        build(cfg, jobs=1)
    after = {p: p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()}
    assert after == before
    r = subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], capture_output=True, text=True)
    assert r.returncode == 3 and "article.html:1" in r.stderr


def test_config_errors_reported_all_at_once(tmp_path):
    root = make_site(tmp_path, {}, 'titel = "x"\npage_size = 0\nbase_url = "ftp:/x"\n[profiles]\nbogus = 1\n')
    with pytest.raises(ConfigError) as e:
        load_config(root)
    text = " | ".join(e.value.problems)
    for needle in ("titel: unknown key", "page_size: must be at least 1", "base_url:", "profiles.bogus: unknown key"):
        assert needle in text
    r = subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], capture_output=True, text=True)
    assert r.returncode == 3 and r.stderr.count("error:") == 4


def test_no_scripts_or_handlers_from_sources(tmp_path):
    extra = ('<p>正文<script>alert(1)</script><img src="x.png" onerror="alert(2)">'
             '<a href="javascript:alert(3)">点</a><iframe src="https://evil.example/"></iframe></p>')
    root = make_site(tmp_path, {"bnews/a/20240101/1.html": wp_page("攻击", ["安全"], extra=extra)})
    build(load_config(root), jobs=1)
    theme_scripts = re.compile(r'<script type="application/ld\+json">[^<]*</script>|<script src="[./]*static/search\.js"></script>')
    for page in html_files(root / "_site"):
        text = theme_scripts.sub("", page.read_text(encoding="utf-8"))  # the theme's own: metadata, search
        assert "<script" not in text and "onerror" not in text and "javascript:" not in text and "<iframe" not in text


def test_clean_json_contract(tmp_path):
    root = small_site(tmp_path, n=1)
    page = root / "content/bnews/cbnews/20240101/100000.html"
    missing = root / "content/nope.html"
    r = subprocess.run([sys.executable, "-m", "sitegen", "clean", "--json", str(page), str(missing)],
                       capture_output=True, text=True, cwd=root)
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.returncode == 1
    assert [d["path"] for d in lines] == [str(page), str(missing)]
    keys = {"path", "kind", "reason", "title", "date", "tags", "source", "author", "url", "body_html", "body_text", "warnings"}
    assert all(keys <= set(d) for d in lines)
    assert lines[0]["kind"] == "article" and lines[0]["title"] == "测试文章0"
    assert lines[0]["tags"] == ["公共", "偶数"] and lines[0]["source"] == "晨钟日报"
    assert lines[0]["date"] == "2024-01-01"
    assert lines[1]["kind"] == "error" and lines[1]["reason"]


def test_clean_matches_seed_expected(corpus):
    seed = corpus / "pages/seed_bannedbook_fragment.html"
    r = subprocess.run([sys.executable, "-m", "sitegen", "clean", "--json", str(seed)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    want = json.loads((corpus / "expected/seed_bannedbook_fragment.json").read_text(encoding="utf-8"))
    assert (got["title"], got["tags"], got["source"]) == (want["title"], want["tags"], want["source"])
    sys.path.insert(0, str(corpus))
    try:
        import score
    finally:
        sys.path.pop(0)
    assert score.score_record(got, want)["F1"] >= 0.99


def test_profiles_config_dirs_and_disabled(tmp_path):
    page = wp_page("配置测试", ["甲"])
    root = make_site(tmp_path, {"bnews/a/20240101/1.html": page},
                     '[profiles]\ndirs = ["my-profiles"]\n')
    (root / "my-profiles").mkdir()
    # a site profile from the configured folder claims the page (and replaces nothing built in)
    (root / "my-profiles/mine.toml").write_text(
        'name = "mine"\npriority = 100\n[match]\nsignatures = [["div.entry"]]\n'
        '[fields]\ntitle = ["h2"]\nbody = ["div.entry"]\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sitegen", "clean", "--explain", "--root", str(root),
                        str(root / "content/bnews/a/20240101/1.html")], capture_output=True, text=True)
    assert "profile 'mine'" in r.stdout
    # disabling the built-in profile leaves the page to the generic extractor
    (root / "sitegen.toml").write_text('[profiles]\ndisabled = ["wordpress-bannedbook"]\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sitegen", "clean", "--explain", "--root", str(root),
                        str(root / "content/bnews/a/20240101/1.html")], capture_output=True, text=True)
    assert "wordpress-bannedbook" not in r.stdout and "profile 'mine'" not in r.stdout
    # a typo in disabled is an error, not a silent no-op
    (root / "sitegen.toml").write_text('[profiles]\ndisabled = ["wordpres-bannedbook"]\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], capture_output=True, text=True)
    assert r.returncode == 3 and "no profile named 'wordpres-bannedbook'" in r.stderr
