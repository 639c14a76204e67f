"""The fast paths of ``urls.safe_relpath`` and ``urls.article_path`` give what their general
definitions (``posixpath.normpath``, ``posixpath.splitext``) give, on random paths made of the
characters that matter (dots, slashes, backslashes, NULs)."""

from __future__ import annotations

import posixpath
import random

import pytest

from sitegen import urls


def reference_safe_relpath(path: str) -> str:
    if "\x00" in path or "\\" in path:
        raise urls.UnsafePath(path)
    norm = posixpath.normpath(path)
    if norm.startswith("/") or norm == ".." or norm.startswith("../") or norm in (".", ""):
        raise urls.UnsafePath(path)
    return norm


def outcome(fn, *args):
    try:
        return fn(*args)
    except urls.UnsafePath:
        return "refused"


def test_safe_relpath_equals_normpath_and_its_checks():
    rng = random.Random(3)
    for _ in range(30000):
        p = "".join(rng.choice("ab./\\\x00中- ~") for _ in range(rng.randint(0, 12)))
        assert outcome(urls.safe_relpath, p) == outcome(reference_safe_relpath, p), repr(p)


@pytest.mark.parametrize("permalink", ["{path}.html", "{path}/", "{year}/{month}/{stem}.html"])
def test_article_path_equals_the_splitext_definition(permalink):
    rng = random.Random(4)

    def reference(source_path, date):
        stem_path = posixpath.splitext(source_path)[0]
        year, month, day = (date[:4], date[5:7], date[8:10]) if date and len(date) >= 10 else ("undated", "", "")
        out = (permalink.replace("{path}", stem_path).replace("{stem}", posixpath.basename(stem_path))
               .replace("{year}", year).replace("{month}", month or "00").replace("{day}", day or "00"))
        if out.endswith("/"):
            out += "index.html"
        out = reference_safe_relpath(out)
        if out.split("/", 1)[0] in urls.RESERVED:
            raise urls.UnsafePath(out)
        return out

    for _ in range(20000):
        p = "".join(rng.choice("ab./中") for _ in range(rng.randint(0, 10))) + rng.choice(["", ".html", ".md"])
        date = rng.choice([None, "2024-05-06", "2024"])
        assert outcome(urls.article_path, p, date, permalink) == outcome(reference, p, date), repr(p)
