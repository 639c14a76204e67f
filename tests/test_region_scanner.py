"""sitegen.region's scanners against the straightforward form of the same tokenizer: the fast
paths (a step that takes a text and the tag after it; tags whose first letter begins no name the
scanner stops at, or treats as raw text, taken without the look-ahead) must match exactly what
it matches, at every position of test, corpus and mutated pages."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from sitegen import region as R
from sitegen.region import _ATTRS, _RAW, _S, _TABLE, _ci, _raw

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "pages"


def _plain_scanner(names: str) -> re.Pattern:
    """The scanner as the tokenizer reads: text, or one of the things a "<" begins, one at a time,
    every tag name told from the names it must stop at by a look-ahead."""
    other = _ci(names + "|" + _RAW)
    skip = (rf"(?>[^<]++"
            rf"|</?(?!(?:{other})[{_S}/>])[A-Za-z][^{_S}/>]*{_ATTRS}/?>"
            rf"|<!--(?>>|->|(?:[^-]++|-(?!-!?>))*+(?:--!?>)?)"
            rf"|<![^>]*+>?|<\?[^>]*+>?|</(?![A-Za-z])[^>]*+>?"
            + "".join("|" + _raw(n) for n in _RAW.split("|"))
            + r"|<(?![A-Za-z/!?]))*+")
    token = rf"<(?P<end>/?)(?P<name>{_ci(names)})(?=[{_S}/>])(?P<attrs>{_ATTRS})(?P<selfclose>/?)>"
    return re.compile((skip + token).encode("ascii"))


SCANNERS = {"body": (R._BODY, "body|plaintext"), "start": (R._START, "div|plaintext"),
            "inside": (R._INSIDE, f"div|plaintext|body|html|head|frameset|{_TABLE}")}

# every name a scanner stops at or reads as raw text, in three cases, with names that begin
# like them, and tags of every first letter
_NAMES = sorted(set(("div|plaintext|body|html|head|frameset|" + _TABLE + "|" + _RAW).split("|")))
_WORDS = ([w for n in _NAMES for w in (n, n.upper(), n[0].upper() + n[1:], n + "x", n[:-1])]
          + [c + "x" for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]
          + list("abcdefghijklmnopqrstuvwxyz") + ["a1", "h1", "li", "ul", "span", "img", "br", "p"])
_BITS = ["<", ">", "/", "/>", " ", "\t", "\n", "=", '"', "'", "x", "<!--", "-->", "--!>", "<!",
         "<?", "</", "<!DOCTYPE html>", "a=b", 'c="d>e"', "f='g>h'", "\u4e2d\u6587", "&amp;"]


def _snippets(rnd: random.Random, n: int) -> list[bytes]:
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 14)):
            if rnd.random() < 0.5:
                w = rnd.choice(_WORDS)
                parts.append(rnd.choice(["<", "</"]) + w + rnd.choice(["", " ", ">", "/>", " a=1>", ' b="<div>">',
                                                                       "\t", "/", "'", '"', "=x>"]))
            else:
                parts.append(rnd.choice(_BITS))
        out.append("".join(parts).encode("utf-8"))
    return out


def _pages() -> list[bytes]:
    found = sorted((ROOT / "tests" / "pages").glob("*.html")) + sorted((ROOT / "content").rglob("*.html"))
    if CORPUS.is_dir():
        found += sorted(CORPUS.glob("*.html"))[:12]
    return [p.read_bytes() for p in found]


def _key(m):
    return None if m is None else (m.span(), m.groups(), m.span("name"))


def _same_everywhere(fast: re.Pattern, plain: re.Pattern, data: bytes, positions) -> None:
    for pos in positions:
        assert _key(fast.match(data, pos)) == _key(plain.match(data, pos)), (data[pos:pos + 200], pos)


@pytest.mark.parametrize("which", sorted(SCANNERS))
def test_the_scanners_match_what_the_plain_tokenizer_matches_in_snippets(which):
    fast, names = SCANNERS[which]
    plain = _plain_scanner(names)
    rnd = random.Random(which)
    for s in _snippets(rnd, 3000):
        _same_everywhere(fast, plain, s, range(len(s) + 1))


@pytest.mark.parametrize("which", sorted(SCANNERS))
def test_the_scanners_match_what_the_plain_tokenizer_matches_in_pages(which):
    fast, names = SCANNERS[which]
    plain = _plain_scanner(names)
    rnd = random.Random(1 + len(which))
    pages = _pages()
    bits = [b.encode() for b in _BITS] + [f"<{w}>".encode() for w in _WORDS[:60]]
    for data in pages + [_mutated(rnd, p, bits) for p in pages]:
        starts = [i for i in range(len(data)) if data[i] == 60]
        _same_everywhere(fast, plain, data, starts[::7] + rnd.sample(range(len(data)), min(40, len(data))))


def _mutated(rnd: random.Random, data: bytes, bits: list[bytes]) -> bytes:
    x = bytearray(data)
    for _ in range(rnd.randint(1, 10)):
        i = rnd.randrange(len(x) + 1)
        x[i:i] = rnd.choice(bits)
    return bytes(x)
