"""The Markdown converter's shortcuts must give exactly what Python-Markdown gives: the inline
one (``mdsource._SkippingInline``) only skips patterns that cannot match, the block one
(``mdsource._paragraph_shortcut``) only sends to the paragraph processor blocks no other block
processor would claim."""

from __future__ import annotations

import random

import pytest

from sitegen import mdsource

DOCS = [
    "纯中文段落，没有任何标记。第二句。\n\n第二段落也没有。",
    "链接 [新闻](https://example.org/a.html \"标题\") 与 ![图](https://example.org/i.png) 混排。",
    "引用式 [链接][1] 和 [短引用] 与 ![图][2]。\n\n[1]: https://example.org/1\n[2]: https://example.org/2.png\n[短引用]: /x",
    "强调 *斜体* **粗体** ***两者*** _下划线_ __粗__ 以及 a*b*c 与 snake_case_name 和 * 单独 *",
    "代码 `a < b && c` 与 ``含`反引号`` 以及 \\`转义\\` \\*星\\* \\[方\\]",
    "实体 &amp; &#20013; &#x4e2d; &copy; 与裸 & 号 和 AT&T",
    "行内 <span class=\"x\">HTML</span> 与 <b>粗</b> <!-- 注释 --> 及 <https://example.org/auto> 和 <me@example.org>",
    "换行  \n第二行\\\n第三行",
    "脚注[^a] 与[^b]。\n\n[^a]: 脚注一 *强调*\n[^b]: 脚注二 [链接](https://example.org)",
    "*[HTML]: Hyper Text\n\nHTML 缩写与 HTML 再次。",
    "| 列一 | 列二 |\n|---|---|\n| *a* | [b](https://example.org) |\n| `c` | d&e |",
    "> 引用里的 **粗体** 与 [链接](https://example.org)\n>\n> - 列表 *一*\n> - 列表 `二`",
    "1. 第一 **项**\n2. 第二 _项_\n\n- 甲\n- 乙 <em>丙</em>",
    "定义\n:   解释 *强调*",
    "# 标题 *强调* {: #id .cls }\n\n段落 {: .c }",
    "```\n代码块 *不* 处理 [x](y)\n```\n\n    缩进代码 *也不*",
    '<div markdown="1">\n块内 *Markdown* [链接](https://example.org)\n</div>',
    "嵌套 **粗体里 *斜体* 与 [链接 `码`](https://example.org)** 结束 ![alt *x*](/i.png)",
    "[链接里的 **粗体** 与 ![图](https://example.org/i.png)](https://example.org/a)",
    "尾部两个空格  \n" * 3 + "与 <br> 标签",
    "标题\n===\n\n副标题\n---\n\n段落\n# 行中标题\n继续\n> 引用\n- 列表\n1. 序号\n: 定义\n[r]: /x\n*[A]: b",
    "中文第一行\n第二行\n\n\n\n第三段\n\n    缩进代码\n\n- 列表\n\n  续行段落\n\n  中文续行\n\n结束",
    "1. 项一\n\n    中文的缩进段落\n\n2. 项二\n中文懒续行\n\n* * *\n\n___\n\nＡ全角字母开头\n（括号开头）\n“引号开头”",
    "a | b\n--|--\n1 | 2\n\n表 | 头\n:-|-:\n左 | 右\n\nword\nWord\n中文",
    "转义反斜杠 \\\\ 与 \\\\` 和 ``` `` ``` 与 `` ` ``",
    "",
]


@pytest.mark.parametrize("doc", DOCS)
def test_skipping_inline_processor_gives_the_stock_output(doc: str) -> None:
    fast, stock = mdsource._converter(skip=True), mdsource._converter(skip=False)
    assert type(fast.treeprocessors["inline"]) is mdsource._SkippingInline
    assert type(stock.treeprocessors["inline"]) is not mdsource._SkippingInline
    assert fast.reset().convert(doc) == stock.reset().convert(doc)


def test_skipping_inline_processor_one_converter_for_every_document() -> None:
    """The converter is reused between documents (state such as references and footnotes reset)."""
    fast, stock = mdsource._converter(skip=True), mdsource._converter(skip=False)
    for doc in DOCS + DOCS[::-1]:
        assert fast.reset().convert(doc) == stock.reset().convert(doc)


LINE_STARTS = ["中文", "Latin", "“引", "（括", "ａ", "#", "## ", "=", "---", "- ", "* ", "+ ", "1. ", "2) ", "> ",
               ": ", "[x]: /u", "[^1]: 注", "*[A]: b", "| a | b |", "|--|--|", "    ", "\t", "<div>", "</div>",
               "```", "~~~", "<!-- c -->", "{: .c }", "段落 {: #i }", "a\\*b", "AT&T", "\\#", "_", "__x__", "![i](/i.png)", "[l](/l)", "`c`", "&amp;", " ", ""]


def random_doc(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 25)):
        start = rng.choice(LINE_STARTS) if rng.random() < 0.6 else rng.choice(["中文", "新闻", "Text"])
        lines.append(start + rng.choice(["", "正文内容，", "续 *强* 调", " tail", "：冒号", " {: .x }", " \\[y\\]", " <b>粗</b>",
                                         " `码`", " &copy;", " ~~删~~"]))
        if rng.random() < 0.3:
            lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(30))
def test_shortcuts_on_random_documents(seed: int) -> None:
    rng = random.Random(seed)
    fast, stock = mdsource._converter(skip=True), mdsource._converter(skip=False)
    for _ in range(40):
        doc = random_doc(rng)
        assert fast.reset().convert(doc) == stock.reset().convert(doc), doc


def test_the_shortcuts_are_installed() -> None:
    """With today's Python-Markdown every shortcut applies (else the gain is silently lost)."""
    fast, stock = mdsource._converter(skip=True), mdsource._converter(skip=False)
    assert "parseBlocks" in vars(fast.parser) and "parseBlocks" not in vars(stock.parser)
    skipped = [type(p).__name__ for kind in ("preprocessors", "treeprocessors") for p in getattr(fast, kind)
               if "run" in vars(p)]
    assert sorted(skipped) == sorted(name for _, name in mdsource._NO_OP_WITHOUT)


def test_every_inline_pattern_is_known_to_the_shortcut() -> None:
    """A pattern the table does not know is never skipped; today every one is known, so a
    Python-Markdown that changes a pattern shows up here instead of silently losing the gain."""
    inline = mdsource._converter(skip=True).treeprocessors["inline"]
    assert all(need for need in inline._needs)
