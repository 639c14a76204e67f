"""Decoding: BOMs, declarations (true and lying), GB/Big5, undeclared bytes, bad bytes, binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.decode import decode, declared_charset
from sitegen.errors import PageError

TEXT = "中俄关系突然生变，双方有望达成的一项天然气管道协议面临搁浅。美国将对协助俄国逃避制裁的第三国金融机构实施制裁。" * 3
TRAD = "桃園市平鎮區一家輪胎行今天清晨發生大火，由於火勢延燒猛烈，一名女子逃生不及。" * 3
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pages"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>{body[:6]}</title></head><body><p>{body}</p></body></html>"


def test_utf8_bom():
    d = decode(b"\xef\xbb\xbf" + page(TEXT).encode("utf-8"))
    assert d.encoding == "utf-8" and TEXT in d.text and not d.text.startswith("\ufeff")


def test_utf16_bom():
    d = decode(b"\xff\xfe" + page(TEXT).encode("utf-16-le"))
    assert TEXT in d.text


def test_declared_gb2312_really_gb_decodes_as_gb18030():
    raw = page(TEXT + "镕", '<meta charset="gb2312">').encode("gb18030")
    d = decode(raw)
    assert d.encoding == "gb18030" and TEXT + "镕" in d.text


def test_declared_gb2312_but_utf8_bytes():
    d = decode(page(TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("utf-8"))
    assert d.encoding == "utf-8" and TEXT in d.text


def test_declared_utf8_but_gbk_bytes():
    d = decode(page(TEXT, '<meta charset="utf-8">').encode("gbk"))
    assert d.encoding == "gb18030" and TEXT in d.text
    assert any("declared" in w for w in d.warnings)


def test_undeclared_gbk_not_cyrillic():
    d = decode(page(TEXT).encode("gbk"))
    assert d.encoding == "gb18030" and TEXT in d.text


def test_big5_declared_and_undeclared():
    raw = page(TRAD, '<meta charset="big5">').encode("big5")
    assert TRAD in decode(raw).text
    d = decode(page(TRAD).encode("big5"))
    assert d.encoding == "big5hkscs" and TRAD in d.text


def test_xml_declaration():
    raw = ('<?xml version="1.0" encoding="gbk"?>' + page(TEXT)).encode("gbk")
    assert declared_charset(raw) == "gbk"
    assert TEXT in decode(raw).text


def test_bad_bytes_replaced_with_warning():
    html = page(TEXT)
    cut = html.index("双方")
    raw = html[:cut].encode("gbk") + b"\x80" + html[cut:].encode("gbk")  # one invalid byte
    d = decode(raw)
    assert d.encoding == "gb18030"
    assert "\ufffd" in d.text and d.warnings
    assert TEXT[:20] in d.text


def test_binary_raises_page_error():
    with pytest.raises(PageError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(PageError, match="binary"):
        decode(b"\x00\x01\x02\x03" * 500)


def test_stray_bom_and_nul_removed():
    d = decode(("<text id='x'>\ufeff" + page(TEXT)).encode("utf-8"))
    assert "\ufeff" not in d.text


@pytest.mark.parametrize("name,encoding", [
    ("gb2312_163money_article", "gb18030"),
    ("gbk_163tech_article", "gb18030"),
    ("gbk_sohu_article", "gb18030"),
    ("nocharset_gb_huping_article", "gb18030"),
    ("gb2312_newssc_forum_thread", "gb18030"),
    ("undeclared_gbk_zol_forum", "gb18030"),
    ("gne_qq_declared_gb2312", "utf-8"),
    ("dwnews_article", "utf-8"),
    ("wp2005_dwnews_blog_post", "utf-8"),
])
def test_corpus_awkward_encodings(name, encoding):
    path = CORPUS / f"{name}.html"
    if not path.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    d = decode(path.read_bytes())
    assert d.encoding == encoding
    assert "\ufeff" not in d.text
    # real Chinese text, not mojibake: the most frequent characters are common hanzi
    assert sum(1 for c in d.text if "\u4e00" <= c <= "\u9fff") > 200
    assert d.text.count("\ufffd") < 5


@pytest.mark.parametrize("raw", [
    b"\x00\x01\x02\xff" * 100,
    b"\x00<\x00a\xe0\x01" * 100,  # NUL pattern of UTF-16-BE, but private-use code points
    b"<\x00a\x00\x01\xe0" * 100,  # the same, little-endian
    b"\x00<\x00a\x03\x78" * 100,  # unassigned code points (U+0378)
], ids=["controls", "private-use-be", "private-use-le", "unassigned"])
def test_binary_wins_over_bomless_utf16_guess(raw):
    with pytest.raises(PageError, match="binary"):
        decode(raw)


def test_bomless_utf16_text_still_decodes():
    html = "<html><head><title>Test page</title></head><body><p>Hello, 世界. Plain text.</p></body></html>" * 5
    for codec in ("utf-16-le", "utf-16-be"):
        d = decode(html.encode(codec))
        assert d.encoding == codec and "Hello, 世界" in d.text


def test_control_bytes_test_against_the_deleting_form():
    # decode's test for CONTROL_BYTES (a NUL in the page folded by FOLD_CONTROLS) against the form
    # it replaces (deleted, lengths compared), for every byte value
    from sitegen import decode as D

    for b in range(256):
        for data in (bytes([b]), b"<p>" + bytes([b]) + "中文".encode() + b"</p>", bytes([b]) * 3 + b"x"):
            assert (0 in data.translate(D.FOLD_CONTROLS)) == (len(data.translate(None, D.CONTROL_BYTES)) != len(data))
            assert (0 in data.translate(D.FOLD_CONTROLS)) == (b in D.CONTROL_BYTES)
    page_ = page(TEXT).encode()
    for b in D.CONTROL_BYTES:
        d = decode(page_.replace(b"<p>", b"<p>" + bytes([b]), 1))
        assert d.controls is (None if b == 0 else True)
    assert decode(page_).controls is False
    assert decode(bytearray(page_)).controls is False


def test_the_folded_page_is_the_page_folded_for_the_region_cut():
    from sitegen import decode as D
    from sitegen.region import FOLD

    # the same bytes to "<" and to \x01 as region.FOLD (what cut's searches tell apart)
    for b in range(256):
        assert (D.FOLD_CONTROLS[b] == ord("<")) == (FOLD[b] == ord("<"))
        assert (D.FOLD_CONTROLS[b] == 1) == (FOLD[b] == 1)
    pages = [page(TEXT).encode(), page("ascii only").encode(), page(TEXT).encode() + b"\x01",
             b"\x00" + page(TEXT).encode(), "\ufeff".encode() + page(TEXT).encode(),
             page(TEXT + "\ufeff").encode(), page(TEXT).encode("gbk"), page(TEXT).encode("utf-16")]
    if CORPUS.is_dir():
        pages += [p.read_bytes() for p in sorted(CORPUS.glob("*.html"))[:40]]
    for raw in pages:
        d = decode(raw)
        if d.utf8 is None or d.controls is None:  # (NUL bytes taken out: the parser looks again)
            assert d.folded is None
        else:
            assert d.folded == d.utf8.translate(D.FOLD_CONTROLS) and len(d.folded) == len(d.utf8)
    assert decode(page(TEXT).encode()).folded is not None
