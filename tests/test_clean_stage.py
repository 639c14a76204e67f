"""The clean stage's own work around the cleaner: reading a source, decoding it, the rows stored."""

from __future__ import annotations

import os

import pytest

from sitegen import parallel
from sitegen.decode import decode


def _old_read(path, limit):
    with open(path, "rb") as fh:
        return fh.read(limit + 1)


@pytest.mark.parametrize("size", [0, 1, 100, 1023, 1024, 1025, 4096, 70_000, 200_000])
@pytest.mark.parametrize("limit", [1024, 4096, 100_000])
def test_read_source_is_a_read_of_limit_plus_one(tmp_path, size, limit):
    p = tmp_path / "page.html"
    p.write_bytes(bytes(range(256)) * (size // 256) + bytes(range(size % 256)))
    assert parallel.read_source(str(p), limit) == _old_read(p, limit)


@pytest.mark.parametrize("told", [0, 10, 4095, 5000, 10_000_000])
def test_read_source_does_not_trust_the_size_fstat_tells(tmp_path, monkeypatch, told):
    """A file that grew or shrank between the stat and the read, or whose size is not known
    (``st_size`` 0): what is read is what the file holds, up to the limit plus one byte."""
    p = tmp_path / "page.html"
    data = os.urandom(5000) + b"x" * 200_000
    p.write_bytes(data)
    real = os.fstat

    class _St:
        def __init__(self, st):
            self.st_size = told

    monkeypatch.setattr(parallel.os, "fstat", lambda fd: _St(real(fd)))
    for limit in (1024, 5000, 150_000, 10_000_000):
        assert parallel.read_source(str(p), limit) == _old_read(p, limit)


def test_read_source_errors_are_those_of_open(tmp_path):
    with pytest.raises(FileNotFoundError) as missing:
        parallel.read_source(str(tmp_path / "nope.html"), 100)
    assert missing.value.strerror == "No such file or directory"
    with pytest.raises(IsADirectoryError) as folder:
        parallel.read_source(str(tmp_path), 100)
    assert folder.value.strerror == "Is a directory"


@pytest.mark.parametrize("data", [
    "中\x00文<p>x</p>".encode(), b"ascii \x00 page", b"\x00" * 3 + "<p>中文</p>".encode(),
    "a\ufeff中\x00".encode(), "<p>中文</p>".encode(), b"<p>plain</p>",
])
def test_decode_never_leaves_a_nul(data):
    """The UTF-8 and ASCII paths take NUL bytes out before decoding, so their text is not
    searched again (``decode._finish``): no NUL is left, and the warning says they went."""
    dec = decode(data)
    assert "\x00" not in dec.text
    assert dec.text == data.replace(b"\x00", b"").decode("utf-8").replace("\ufeff", "")
    assert ("NUL bytes removed" in dec.warnings) == (b"\x00" in data)
    if dec.utf8 is not None:
        assert dec.utf8.decode("utf-8") == dec.text
