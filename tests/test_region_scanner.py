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
          + list("abcdefghijklmnopqrstuvwxyz") + ["a1", "h1", "li", "ul", "span", "img", "br", "p", "my-tag", "o:p",
                                                  "aB", "h2x", "lI"]
          + [w for n in R._COMMON.split("|") for w in (n, n + "x", n + "1", n[:-1], n.upper())])
_BITS = ["<", ">", "/", "/>", " ", "\t", "\n", "=", '"', "'", "x", "<!--", "-->", "--!>", "<!",
         "<?", "</", "<!DOCTYPE html>", "a=b", 'c="d>e"', "f='g>h'", "\u4e2d\u6587", "&amp;"]


# attributes as the scanners' quick form reads them (a space, a lower case name, "=" and a value in
# double quotes) and near them, where the tokenizer ends the tag elsewhere or reads other attributes
_ATTR_TAILS = [' x="1">', ' x="1" y="2">', ' x="1"y="2>">', ' x ="y>">', ' ="y>">', '="y>">', ' x="1" ="2>">',
               '/="x>">', ' x=y="z>">', ' data-x="a>b" />', ' x:y.z_w="1"  / >', ' X="1">', '\nx="1">',
               " x='1>'>", ' x="1"/ y="2>">', ' x="1\'>"\'>', ' x=""  >', ' x="', ' x="1" y', ' 1x="2>">',
               ' x="1">"', ' -x="1>">', ' x="1" /x="2>">', ' x=\'1"\' y="2>">', ' x="1"\ty="2>">',
               ' x=\'1">\'>', '"x="1>">', ' x="1""y="2>">', ' x=\'\'"y="1>">',
               ' x "y>">', ' x=="y>">', ' x= "y>">', '\t"y="1>">']
# (and with tags the scanners stop at where the tokenizer reads an attribute: read as tags, they
# would be found)
_ATTR_TAILS += [t.replace(">", "><div><body><td>", 1) for t in _ATTR_TAILS if t.count(">") > 1]


def _snippets(rnd: random.Random, n: int) -> list[bytes]:
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 14)):
            if rnd.random() < 0.5:
                w = rnd.choice(_WORDS)
                parts.append(rnd.choice(["<", "</"]) + w + rnd.choice(["", " ", ">", "/>", " a=1>", ' b="<div>">',
                                                                       "\t", "/", "'", '"', "=x>"] + _ATTR_TAILS))
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


# ---------------------------------------------------------------------------------------------
# cut's search of the discarded text (folded, then tried where the folded text says) against the
# two searches it replaces

def _reads_plain(data: bytes, start: int, end: int) -> bool:
    return bool(R._PAGE_TAGS.search(data, start, end) or R._JSON_LD.search(data, start, end))


_READ_BITS = [b"<meta", b"<META", b"<mEtA", b"<link", b"<LINK", b"<title", b"<Title", b"<base", b"<BASE",
              b"+json", b"+JSON", b"+Json", b"<small", b"<table", b"<label", b"<time", b"<main", b"<blink",
              b"+name", b"<metax", b"<titl", b"<tit", b"< meta", b"<+json", b"+<meta", b"<lin", b"<basement",
              b"<linked", b"\xe4\xb8\xad", b"json", b"meta", b"<", b"+"]
_READ_ENDS = [b"", b" ", b">", b"/", b"\t", b"\n", b"\f", b"\r", b"x", b"=", b"\x0b", b"<", b"\xe4"]


def test_the_discarded_text_search_finds_what_the_two_searches_find_in_snippets():
    rnd = random.Random(11)
    for _ in range(4000):
        data = b"".join(rnd.choice(_READ_BITS) + rnd.choice(_READ_ENDS) + rnd.choice([b"", b"a", b"<p>"])
                        for _ in range(rnd.randint(0, 12)))
        for _ in range(6):
            start = rnd.randint(0, len(data))
            end = rnd.randint(start, len(data))
            assert R._reads(data, start, end) == _reads_plain(data, start, end), (data, start, end)


def test_the_discarded_text_search_tries_a_page_full_of_near_misses():
    # more places the folded text points at than it tries one by one: the rest is searched by the
    # patterns themselves, and still finds a tag that comes after them all, and nothing else
    for n in (0, 1, R._FOLD_TRIES - 1, R._FOLD_TRIES, R._FOLD_TRIES + 1, 3 * R._FOLD_TRIES):
        for near in (b"<small>", b"<table>", b"+name", b"<metal>", b"<smal", b"+Jso"):
            for tail, found in ((b"", False), (b"<META>", True), (b"+jSoN", True), (b"<titlex>", False)):
                data = b"<p>" + near * n + tail + b"</p>"
                assert R._reads(data, 0, len(data)) == _reads_plain(data, 0, len(data)) == found
                for end in range(len(data) - 10, len(data)):  # (ends inside the tail's tag)
                    assert R._reads(data, 3, end) == _reads_plain(data, 3, end)


def test_the_discarded_text_search_in_pages():
    rnd = random.Random(12)
    pages = _pages()
    for data in pages + [_mutated(rnd, p, _READ_BITS) for p in pages for _ in range(3)]:
        for _ in range(8):
            start = rnd.randint(0, len(data))
            end = rnd.choice([len(data), rnd.randint(start, len(data))])
            assert R._reads(data, start, end) == _reads_plain(data, start, end)


def test_the_discarded_text_search_in_a_page_folded_before():
    from sitegen.decode import FOLD_CONTROLS

    rnd = random.Random(13)
    for data in [_mutated(rnd, p, _READ_BITS) for p in _pages() for _ in range(2)]:
        for table in (R.FOLD, FOLD_CONTROLS):
            folded = data.translate(table)
            for _ in range(6):
                start = rnd.randint(0, len(data))
                end = rnd.choice([len(data), rnd.randint(start, len(data))])
                assert R._reads(data, start, end, folded) == _reads_plain(data, start, end)


def test_cut_with_the_page_folded_before_cuts_the_same():
    from sitegen.decode import FOLD_CONTROLS

    rnd = random.Random(14)
    regions = [R.parse_region(s) for s in ("div.post", "div.entry", "div#content", "div.content", "div.article")]
    pages = _pages()
    for data in pages + [_mutated(rnd, p, _READ_BITS + [b"<div class=post>", b"</div>"]) for p in pages]:
        folded = data.translate(FOLD_CONTROLS)
        for region in regions:
            assert R.cut(data, region, folded) == R.cut(data, region) == R.cut(data, region, data.translate(R.FOLD))
    with pytest.raises(ValueError):
        R.cut(pages[0], regions[0], pages[0][1:].translate(R.FOLD))


def test_the_fold_keeps_every_letter_of_the_searched_words():
    # a planted bug (a letter of the words, or a case of it, folded to "x") would hide a tag
    for word in (b"<meta", b"<link", b"<titl", b"<base", b"+json"):
        for variant in (word, word.upper(), word.swapcase()):
            assert variant.translate(R.FOLD) == b"<\x01\x01\x01\x01"


@pytest.mark.parametrize("which", sorted(SCANNERS))
def test_the_scanners_groups_in_the_order_find_unpacks_them(which):
    assert SCANNERS[which][0].groupindex == {"end": 1, "name": 2, "attrs": 3, "selfclose": 4}
    assert SCANNERS[which][0].groups == 4
