"""The cold-build pipeline around the cleaner and the templates: workers that store what they
clean themselves, and the shortcuts of Markdown records (a plain document without
Python-Markdown, plain front matter without PyYAML, a simple body's text without lxml), each
compared with what it stands for. Behaviour only (timings live in bench/)."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

import yaml

from sitegen import mdsource, record
from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError

from conftest import bump_mtime, make_site


def md(i: int) -> str:
    return (f"---\ntitle: 文章{i}\ndate: 2024-03-{1 + i % 28:02d}\ntags: [经济, 标签{i % 5}]\n---\n\n"
            + "\n\n".join(f"第{i}篇第{p}段，记者报道政府部门的会议。" for p in range(4)) + "\n")


def site(root: Path, n: int = 80, **extra: str | bytes) -> Path:
    pages: dict[str, str | bytes] = {f"a/{i:03d}.md": md(i) for i in range(n)}
    pages.update(extra)
    return make_site(root, pages, 'title = "测试"\npage_size = 5\nsearch = false\nmax_page_bytes = 4000\n')


def rows(root: Path) -> dict[str, list]:
    db = sqlite3.connect(root / ".sitegen" / "store.sqlite")
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("results", "bodies")}
    finally:
        db.close()


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def cold(root: Path, jobs: int):
    shutil.rmtree(root / "_site", ignore_errors=True)
    shutil.rmtree(root / ".sitegen", ignore_errors=True)
    return build(load_config(root), jobs=jobs, progress=False)


def test_workers_store_the_same_rows_as_one_process(tmp_path):
    root = site(tmp_path / "s")
    (root / "content/a/big.md").write_text("---\ntitle: 大\n---\n" + "字" * 2000, encoding="utf-8")
    one = cold(root, 1)
    serial, site1 = rows(root), tree(root / "_site")
    two = cold(root, 2)
    assert (two.cleaned, two.reused, two.articles) == (one.cleaned, one.reused, one.articles) == (81, 0, 80)
    assert rows(root) == serial
    assert tree(root / "_site") == site1
    assert two.errors == [("a/big.md", "file is larger than max_page_bytes (4000)")]


def test_a_touched_source_is_restamped_by_the_workers_not_cleaned(tmp_path):
    root = site(tmp_path / "s")
    build(load_config(root), jobs=2, progress=False)
    before = {r[0]: r for r in rows(root)["results"]}
    for i in range(0, 80, 2):
        bump_mtime(root / f"content/a/{i:03d}.md")
    (root / "content/a/001.md").write_text(md(1).replace("第1篇", "改过的第1篇"), encoding="utf-8")
    report = build(load_config(root), jobs=2, progress=False)
    assert (report.cleaned, report.reused) == (1, 79)
    after = {r[0]: r for r in rows(root)["results"]}
    for i in range(0, 80, 2):  # only the stamp changed, and it is the file's
        rel = f"a/{i:03d}.md"
        st = os.stat(root / "content" / rel)
        assert after[rel][4] == f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}" != before[rel][4]
        assert after[rel][:4] + after[rel][5:] == before[rel][:4] + before[rel][5:]
    assert after["a/001.md"][1] != before["a/001.md"][1]


# --- first builds ----------------------------------------------------------------------------
def test_a_failed_first_build_leaves_no_site(tmp_path):
    root = site(tmp_path / "s", 70)
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text("{% extends 'base.html' %}{% block main %}{{ article.title }\n"
                                                 "{% endblock %}", encoding="utf-8")
    for jobs in (1, 2):
        with pytest.raises(BuildError, match=r"article.html:1"):
            build(load_config(root), jobs=jobs, progress=False)
        assert not (root / "_site").exists() and not (root / ".sitegen/staging").exists()


def test_a_first_build_then_a_rebuild_equal_two_first_builds(tmp_path):
    root = site(tmp_path / "s", 90)
    first = cold(root, 2)
    assert first.written == first.outputs > 64
    fresh = tree(root / "_site")
    (root / "content/a/003.md").write_text(md(3).replace("第3篇", "改过"), encoding="utf-8")
    again = build(load_config(root), jobs=2, progress=False)
    assert 0 < again.written < first.written
    edited = tree(root / "_site")
    assert edited != fresh
    cold(root, 1)
    assert tree(root / "_site") == edited


# --- Markdown: a plain document without the converter ------------------------------------------
PIECES = ["中文", "段落", "a", "Z", "word", " ", "  ", "\n", "\n\n", "\n\n\n", "\u3000", "\u00a0", "\t", "\r", "\r\n",
          "[链接](https://e.org/a_b*c?x=1#y)", "[x](u)", "[ 空 ](u)", "[a](u \"t\")", "[a](<u>)", "![i](u)", "!", "[", "]",
          "(", ")", "*", "_", "`", "\\", "<", ">", "&", "&amp;", "{", "}", "~", "~~~", "```", "|", ":", "#", "=", "-", "+",
          "1.", "^", "[^a]", "\x02", "\x03", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\ufeff", "'", '"',
          "%", "/", ".", "，", "！", "?", "[a](b)(c)", "[a]", "[a][b]", "[a](b c)", "[[a]](b)", "[a](b))", "\n\u3000",
          "\n ", "\n\t", "x\n- y", "\n1. x", "\n> q", "\n===", "\n---", "\n    code", "\nA", "\n中"]
PLAIN = ["中文", "段落", "\n\n", "[链接](https://e.org/p_q.html)", "文字 ", "\n"]


def test_a_plain_document_gives_what_the_converter_gives():
    stock = mdsource._converter(skip=False)
    assert mdsource._pipeline(stock) == mdsource._pipeline(mdsource._converter()) == mdsource._PIPELINE
    rng = random.Random(4)
    plain = 0
    for _ in range(40000):
        doc = "".join(rng.choice(PIECES) if rng.random() < 0.35 else rng.choice(PLAIN)
                      for _ in range(rng.randint(1, 30)))
        fast = mdsource._plain_html(doc)
        if fast is not None:
            plain += 1
            assert fast == stock.reset().convert(doc), doc
    assert plain > 2000


def test_the_white_space_list_is_python_s():
    assert mdsource._SPACE == {c for c in map(chr, range(0x110000)) if c.isspace()}


def test_what_is_not_plain_goes_to_the_converter():
    for doc in ("a *b*", "a_b", "[a](u \"t\")", "![i](u)", "a  \nb", "a \n", "- a", "  a", "\u3000a", "a\n  \nb",
                "a <b>", "a &amp;", "[a]", "a\n\tb", "a\x02b", "[^a](u)", "a {: .c}", "a\\b", "`a`", ""):
        assert mdsource._plain_html(doc) is None, doc
    assert mdsource._plain_html("\n甲 [乙](https://e.org/a_b)。\n丙\n\n\n丁\n") == \
        '<p>甲 <a href="https://e.org/a_b">乙</a>。\n丙</p>\n<p>丁</p>'


# --- front matter: the plainest kind without PyYAML ---------------------------------------------
FM_KEYS = ["title", "date", "tags", "source", "url", "author", "lang", "draft", "summary", "Title", "on", "yes", "x"]
FM_VALUES = [
    '"平台救援"', '"a\\"b"', '"a\'b"', '"#x"', '"a: b"', '"\u3000x"', '"x\u2028"', '"\t"', '"', '""', "''", "'a'",
    "2023-01-27T17:36:00+08:00", "2023-01-27", "2023-1-27", "2023-02-30", "2023-01-27T25:00:00", "2023-01-27T17:36:00Z",
    "2023-01-27T17:36:00-05:30", "2023-01-27T17:36:00+24:00", "2023-01-27 17:36:00", "2023-01-27T17:36:00.5",
    '["a", "b"]', "[]", '["深圳", "湖南"]', '["a","b"]', "[a, b]", '["a", ]', '["\u2028"]',
    "希望之声", "希望 之声", "希望之声 ", "希望#之声", "希望 #之声", "希望:之声", "希望: 之声", "希\x85望", "希望\u3000", "é",
    "\ufeffx", "https://www.bannedbook.org/bnews/a.html", "https://a.b/c#d", "https://a.b:80/", "https://a.b/c:",
    "http://a/'x'", "https://a/b?c=1&d=2", "https://a/*x*", "https://a/!x", "true", "yes", "null", "~", "123", "1.5",
    "0x1f", "a", "-", "&a", "*a", "!x"]


def test_plain_front_matter_gives_what_pyyaml_gives():
    rng = random.Random(2)
    plain = 0
    for _ in range(30000):
        lines = [rng.choice(FM_KEYS[:8] * 3 + FM_KEYS) + rng.choice([": ", ": ", ":  ", ":", ": \t"])
                 + rng.choice(FM_VALUES) + rng.choice(["", "", "", "", " ", " # c", "\r"])
                 for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.05:
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "# c", "  x: y", "---"]))
        text = "\n".join(lines)
        fast = mdsource._plain_front_matter(text)
        if fast is None:
            continue
        plain += 1
        stock = yaml.load(text, Loader=mdsource._YAML_LOADER)  # (must not raise either)
        assert repr(fast) == repr(stock) and [type(v) for v in fast.values()] == [type(v) for v in stock.values()], text
    assert plain > 1000


# --- summaries and text of a simple body without parsing it ----------------------------------
GOOD_TEXT = ["中文", "段落", "a", " ", "\n", "，", "。", '"', "'", ">", "x" * 130, "长" * 70]
ODD_TEXT = ["  ", "\t", "\r", "\x0c", "\u3000", "\xa0", "\u2028", "\x85", "&amp;", "\ufeff", "\ufffd", "\uffff", "\x00",
            "\x7f", "é", "\u200b", "\x1f", "\x0b", "<br>", "<b>", "</p>", "<p>"]
OPEN_A = ['<a href="https://e.org/a_b">', '<a href="x" rel="nofollow noopener">', "<a>", '<a href="">',
          '<a href="x" title="t>">', "<a href='x'>", '<a href="a&amp;b">', "<A href=\"x\">"]


def test_a_simple_body_gives_the_parsed_text_and_summary(monkeypatch):
    rng = random.Random(8)

    def text() -> str:
        return "".join(rng.choice(GOOD_TEXT) if rng.random() < 0.85 else rng.choice(ODD_TEXT)
                       for _ in range(rng.randint(0, 6)))

    def para() -> str:
        inner = text()
        for _ in range(rng.randint(0, 2)):
            inner += rng.choice(OPEN_A) + text() + rng.choice(["</a>"] * 5 + ["</A>", ""]) + text()
        return rng.choice(["<p>"] * 8 + ["<P>", "<div>"]) + inner + rng.choice(["</p>"] * 8 + ["</div>", ""])

    simple = 0
    for _ in range(8000):
        body = "\n".join(para() for _ in range(rng.randint(1, 5))) + rng.choice(["", "\n", " "])
        fast = [(record.html_to_text(body), record.summary_of_html(body, n)) for n in (120, 10)]
        with monkeypatch.context() as m:
            m.setattr(record, "_simple_paragraphs", lambda b, enough=None: None)
            parsed = [(record.html_to_text(body), record.summary_of_html(body, n)) for n in (120, 10)]
        assert fast == parsed, body
        simple += record._SIMPLE_BODY.match(body) is not None
    assert simple > 150
