"""Bytes to text, without trusting the declared charset alone.

Order of evidence (first that holds wins):

1. A byte-order mark (UTF-8, UTF-16, UTF-32).
2. Binary input (NUL bytes that are not UTF-16, or a known binary signature) -> ``PageError``.
   A BOM-less UTF-16 guess (by the NUL pattern) only stands if the decoded text is text: mostly
   assigned, printable characters, not control, private-use or unassigned code points.
3. The bytes are valid UTF-8 (and contain non-ASCII bytes): UTF-8, whatever the page declares
   (pages that declare gb2312 but are UTF-8 are common).
4. A declared charset (``<meta charset>``, ``http-equiv`` Content-Type, XML declaration, the
   ``encoding=`` of a dataset ``<text>`` wrapper) that decodes the bytes strictly. GB2312/GBK are
   always decoded as GB18030 (a superset), Big5 as Big5-HKSCS.
5. No usable declaration: strict GB18030 and strict Big5-HKSCS are tried and the one whose
   text consists of common CJK characters wins (charset-normalizer guesses Cyrillic code pages for
   undeclared GBK, so CJK candidates are tried first); then charset-normalizer.
6. Nothing decodes strictly: the candidate with the fewest replacement characters (weighted by how
   plausible its text is) is used with ``errors="replace"`` and a warning.

Stray BOMs (U+FEFF) inside the text and NUL characters are removed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from sitegen.errors import PageError
from sitegen.region import FOLD


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()
    # ``text`` as UTF-8 when that is the page's own bytes (a UTF-8 or ASCII page that needed no
    # change): the parser reads them instead of encoding the text again. None otherwise.
    utf8: bytes | None = field(default=None, compare=False, repr=False)
    # False: ``utf8`` holds none of the CONTROL_BYTES (the parser need not look for them again).
    # None: not known (or no ``utf8``).
    controls: bool | None = field(default=None, compare=False, repr=False)
    # ``utf8`` translated by FOLD_CONTROLS (what sitegen.region.cut searches: give it), or None
    folded: bytes | None = field(default=None, compare=False, repr=False)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_BINARY_MAGIC = (
    b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"%PDF-", b"PK\x03\x04", b"\x1f\x8b",
    b"\x7fELF", b"BZh", b"\xfd7zXZ", b"Rar!", b"MZ", b"\x00\x00\x01\x00", b"OggS", b"ID3",
    b"RIFF", b"\xca\xfe\xba\xbe", b"SQLite format 3",
)

_DECL_RES = (
    re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I),
    re.compile(rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I),
    re.compile(rb"""<text\s[^>]{0,2000}?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I),
)

# Declared names mapped to the codec that actually decodes such pages.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "ms936": "gb18030", "euc-cn": "gb18030", "euccn": "gb18030",
    "gb_2312-80": "gb18030", "csgb2312": "gb18030", "chinese": "gb18030", "hz-gb-2312": "hz",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "big5hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "cp950": "big5hkscs", "csbig5": "big5hkscs",
    "utf8": "utf-8", "utf-8": "utf-8", "unicode-1-1-utf-8": "utf-8",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252",
}


def _common_chars() -> frozenset[str]:
    """Characters frequent in real Chinese text: GB2312 level-1 hanzi and symbols, Big5 level-1
    hanzi and symbols. Text decoded with the wrong CJK codec is mostly outside this set."""
    chars: set[str] = set()
    for lead in range(0xA1, 0xD8):
        if 0xA4 <= lead <= 0xAF:  # kana, greek, cyrillic, box drawing: typical of mojibake
            continue
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA1, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if lead < 0xA4 and lead != 0xA1:
                continue
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    chars.update("\u3000\u3001\u3002\u201c\u201d\u2018\u2019\u2014\u2026\u00b7")
    return frozenset(chars)


_DEL_ASCII: dict | None = None
_DEL_COMMON: dict | None = None


def _plausibility(text: str) -> tuple[int, int]:
    """(non-ASCII characters, of which uncommon) in a sample of ``text`` (str.translate: fast)."""
    global _DEL_ASCII, _DEL_COMMON
    if _DEL_COMMON is None:
        _DEL_ASCII = {i: None for i in range(128)}
        _DEL_COMMON = dict(_DEL_ASCII)
        _DEL_COMMON.update({ord(c): None for c in _common_chars()})
    text = text[:65536]
    non_ascii = len(text.translate(_DEL_ASCII))
    uncommon = len(text.translate(_DEL_COMMON))
    return non_ascii, uncommon


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first bytes, lower-cased, or None."""
    head = data[:8192]
    for rx in _DECL_RES:
        m = rx.search(head)
        if m:
            name = m.group(1).decode("ascii", "replace").strip().lower()
            if name and name not in ("unset", "none", "unknown"):
                return name
    return None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_binary(data: bytes) -> str | None:
    head = data[:4096]
    for magic in _BINARY_MAGIC:
        if head.startswith(magic):
            # "MZ"/"ID3"/"BZh" etc. could begin a text page; require a NUL or control bytes too
            if _control_ratio(head) > 0.05 or b"\x00" in head:
                return f"binary file (starts like {magic[:8]!r})"
    sample = data[:65536]
    # (what _control_ratio counts; NUL is a control byte, so a sample without any has no NUL
    # to count either)
    controls = len(sample) - len(sample.translate(_CONTROL_TABLE, _CONTROL))
    nul = sample.count(0) if controls else 0
    if nul and nul > max(8, len(sample) // 100):
        return f"binary file ({nul} NUL bytes in the first {len(sample)} bytes)"
    if len(sample) >= 64 and controls / len(sample) > 0.10:
        return "binary file (mostly control bytes)"
    return None


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CONTROL_TABLE = bytes.maketrans(b"", b"")
# The control bytes the parser drops (extract.parse_html): those of _CONTROL, form feed and ESC.
# A page without any has none of _CONTROL either, so none of the NUL and control-byte tests of
# _looks_binary can find anything in it: decode looks once, for both.
CONTROL_BYTES = bytes(list(range(0x00, 0x09)) + [0x0b] + list(range(0x0e, 0x20)) + [0x7f])
assert set(_CONTROL) <= set(CONTROL_BYTES)
# sitegen.region's FOLD, but the CONTROL_BYTES to NUL (a byte FOLD makes of none): the page translated
# by it is what region.cut searches, and holds a NUL when the page holds any of them (a memchr). The
# translation costs what the test for them alone costs (~20% less than deleting them and comparing
# lengths: no deletion table is looked up).
FOLD_CONTROLS = bytes(0 if b in CONTROL_BYTES else FOLD[b] for b in range(256))
assert 0 not in FOLD


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    stripped = sample.translate(_CONTROL_TABLE, _CONTROL)
    return (len(sample) - len(stripped)) / len(sample)


def _utf16_without_bom(data: bytes) -> str | None:
    if data.find(b"\x00", 0, 4096) < 0:
        return None  # (no NUL in the sample: neither count below can pass; most pages, at once)
    sample = data[:4096]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


_NOT_TEXT = frozenset(("Cc", "Co", "Cn", "Cs"))


def _mostly_text(sample: str) -> bool:
    """Decoded text looks like text: under 2% control characters (other than whitespace) and
    under 5% private-use, unassigned or surrogate code points. Binary data read as UTF-16 is
    mostly such code points."""
    if not sample:
        return False
    import unicodedata  # only BOM-less UTF-16 guesses get here: not loaded for every page

    controls = odd = 0
    for c in sample:
        if c < " " or "\x7f" <= c <= "\x9f":
            if c not in "\t\r\n\f":
                controls += 1
        elif c >= "\u0370" and unicodedata.category(c) in _NOT_TEXT:
            odd += 1
    return controls < 0.02 * len(sample) and odd < 0.05 * len(sample)


def _finish(text: str, encoding: str, warnings: list[str], utf8: bytes | None = None,
            controls: bool | None = None, folded: bytes | None = None) -> Decoded:
    """``utf8``: the bytes ``text`` was decoded from, when they are its UTF-8 encoding (bytes
    ``decode`` has taken any NUL out of: so ``text`` has no NUL to look for, a search that costs
    a quarter of a UTF-8 page's decoding); ``controls``: whether they hold any of CONTROL_BYTES
    (None: not looked); ``folded``: ``utf8`` translated by FOLD_CONTROLS (None: not made)."""
    nul_free = utf8 is not None
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
        utf8 = None
    if not nul_free and "\x00" in text:
        text = text.replace("\x00", "")
        warnings.append("NUL characters removed")
        utf8 = None
    if utf8 is None:
        return Decoded(text, encoding, tuple(warnings))
    return Decoded(text, encoding, tuple(warnings), utf8, controls, folded)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes) -> Decoded:
    """Decode a page's bytes. Raises ``PageError`` only for binary input."""
    warnings: list[str] = []
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, errors="replace")
            if "\ufffd" in text:
                warnings.append(f"undecodable bytes replaced ({codec})")
            return _finish(text, codec.replace("-le", "").replace("-be", "") if codec.startswith("utf-16") else codec, warnings)

    utf16 = _utf16_without_bom(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        if text.count("\ufffd") < max(4, len(text) // 200) and _mostly_text(text[:4096]) and "<" in text[:4096]:
            return _finish(text, utf16, warnings)

    # (a page without control bytes, most pages, is not binary by _looks_binary's tests and has
    # no NUL to remove)
    folded = data.translate(FOLD_CONTROLS)
    controls = 0 in folded
    if controls:
        reason = _looks_binary(data)
        if reason:
            raise PageError(reason)
        if b"\x00" in data:
            data = data.replace(b"\x00", b"")
            warnings.append("NUL bytes removed")
            controls = folded = None  # (not looked at again: the parser does)

    if data.isascii():
        declared = _codec(declared_charset(data))
        return _finish(data.decode("ascii"), declared or "ascii", warnings, data, controls, folded)

    text = _strict(data, "utf-8")
    if text is not None:
        return _finish(text, "utf-8", warnings, data, controls, folded)

    declared_name = declared_charset(data)
    declared = _codec(declared_name)
    cjk = ("gb18030", "big5hkscs")

    if declared and declared != "utf-8":
        text = _strict(data, declared)
        if text is not None:
            if declared in cjk:
                n, uncommon = _plausibility(text[:200000])
                if uncommon > 0.3 * max(n, 1):
                    best = _best_cjk(data)
                    if best is not None and best[1] != declared:
                        warnings.append(f"declared {declared_name} but the bytes are {best[1]}")
                        return _finish(best[0], best[1], warnings)
                return _finish(text, declared, warnings)
            if declared not in ("cp1252", "latin_1", "iso8859-1"):
                return _finish(text, declared, warnings)
            # A single-byte declaration on bytes that may well be CJK: check the CJK candidates.
            best = _best_cjk(data)
            if best is not None:
                warnings.append(f"declared {declared_name} but the bytes are {best[1]}")
                return _finish(best[0], best[1], warnings)
            return _finish(text, declared, warnings)

    best = _best_cjk(data)
    if best is not None:
        if declared_name and declared != best[1]:
            warnings.append(f"declared {declared_name} but the bytes are {best[1]}")
        return _finish(best[0], best[1], warnings)

    # Nothing decodes strictly: pick the most plausible lossy decoding.
    candidates = ["utf-8", "gb18030", "big5hkscs"]
    if declared and declared not in candidates:
        candidates.insert(0, declared)
    scored = []
    for i, codec in enumerate(candidates):
        try:
            t = data.decode(codec, errors="replace")
        except LookupError:
            continue
        bad = t.count("\ufffd")
        n, uncommon = _plausibility(t[:200000])
        # Replacement characters are worse than uncommon characters; declaration breaks ties.
        scored.append((bad * 4 + uncommon, i, codec, t, bad))
    # charset-normalizer as a last opinion when all CJK candidates look poor
    scored.sort(key=lambda s: (s[0], s[1]))
    cost, _, codec, text, bad = scored[0]
    n, _u = _plausibility(text[:200000])
    if cost > 0.5 * max(n, 1):
        guess = _normalizer_guess(data)
        if guess is not None:
            warnings.append(f"encoding guessed by charset-normalizer: {guess[1]}")
            return _finish(guess[0], guess[1], warnings)
    warnings.append(f"{bad} undecodable byte sequence(s) replaced ({codec})")
    return _finish(text, codec, warnings)


def _best_cjk(data: bytes) -> tuple[str, str] | None:
    """Strict GB18030 / Big5-HKSCS decodings; the more plausible one, if any is plausible."""
    options = []
    for codec in ("gb18030", "big5hkscs"):
        t = _strict(data, codec)
        if t is not None:
            n, uncommon = _plausibility(t[:200000])
            options.append((uncommon / max(n, 1), codec, t))
    if not options:
        return None
    options.sort(key=lambda o: o[0])
    ratio, codec, text = options[0]
    if ratio > 0.5:
        return None
    return text, codec


def _normalizer_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        return None
    try:
        best = from_bytes(data[:200000]).best()
    except Exception:  # the detector must never take a page down
        return None
    if best is None:
        return None
    codec = _codec(best.encoding) or best.encoding
    try:
        return data.decode(codec, errors="replace"), codec
    except LookupError:
        return None
