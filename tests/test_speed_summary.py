"""Summaries are made from the head of a text only (``record.summarize``, ``record.summary_of_html``):
they must be exactly what the whole text gives."""

from __future__ import annotations

import random
import re

import pytest

from sitegen.record import _CJK, html_to_text, summarize, summary_of_html

_WS = re.compile(r"\s+")
_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def reference_summarize(text: str, limit: int = 120) -> str:
    """The summary made from the whole text (the definition)."""
    text = _GAP.sub("", _WS.sub(" ", text).strip())
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + "…"


ALPHABET = ["中", "文", "，", "。", "a", "b", "Z", "1", " ", " ", "  ", "\n", "\n\n", "\t", "\u3000", "…", "！", "x y"]


def random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


@pytest.mark.parametrize("seed", range(40))
def test_summarize_equals_the_whole_text_summary(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        text = random_text(rng, rng.choice([0, 5, 60, 119, 120, 121, 200, 500, 550, 600, 2000]))
        for limit in (10, 120):
            assert summarize(text, limit) == reference_summarize(text, limit), (text, limit)


def test_summarize_at_the_edge_of_the_head() -> None:
    """Whitespace runs and CJK gaps right where the head is cut (4 x limit + 64 characters)."""
    for limit in (10, 120):
        head = 4 * limit + 64
        for k in range(head - 8, head + 8):
            for pad in ("中", " ", "中 ", " 中", "\n\n", "a"):
                for text in ("中" * k + pad + "文" * 50, " " * k + "中" * 300, "中 " * k, "中" * (limit + 1) + " " * k + "文",
                             "中" * limit + pad * k, "中" * (limit + 1) + pad * k):
                    assert summarize(text, limit) == reference_summarize(text, limit)


def random_body(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 12)):
        text = random_text(rng, rng.randint(0, 150)).replace("<", "")
        kind = rng.choice(["p", "p", "h2", "li", "blockquote", "figure", "br", "inline", "div"])
        if kind == "figure":
            parts.append(f"<figure><img src=\"https://e.org/i.png\"><figcaption>{text}</figcaption></figure>")
        elif kind == "br":
            parts.append(f"<p>{text}<br>{text[::-1]}</p>")
        elif kind == "inline":
            parts.append(f"<strong>{text}</strong> {text}")
        elif kind == "div":
            parts.append(f"<div><p>{text}</p>{text}<p>{text[:20]}</p></div>")
        elif kind == "li":
            parts.append(f"<ul><li>{text}</li><li><a href=\"https://e.org/\">{text}</a></li></ul>")
        else:
            parts.append(f"<{kind}>{text}</{kind}>")
    return "\n".join(parts)


@pytest.mark.parametrize("seed", range(20))
def test_summary_of_html_equals_the_summary_of_the_whole_text(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        body = random_body(rng)
        for limit in (10, 120):
            assert summary_of_html(body, limit) == reference_summarize(html_to_text(body), limit), body

