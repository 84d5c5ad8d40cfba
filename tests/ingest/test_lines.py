"""Bytes → record lines (pure Python/Arrow, no Spark)."""

from __future__ import annotations

import gzip

from lifecircle.ingest.lines import split_file


def records(content: bytes, has_header: bool = False):
    out = split_file(content, has_header)
    return list(zip(out.line_no.tolist(), out.text.to_pylist(), out.bad_utf8.tolist(), out.truncated.tolist(), strict=True))


def test_lf_crlf_blank_lines_and_physical_line_numbers():
    content = b"a|1\r\n\r\n   \nb|2\nc|3\r\n"
    assert records(content) == [(1, "a|1", False, False), (4, "b|2", False, False), (5, "c|3", False, False)]


def test_gzip_and_bom_are_transparent():
    plain = "\ufeff13800138000|x\n第二行\n".encode()
    assert records(gzip.compress(plain)) == [(1, "13800138000|x", False, False), (2, "第二行", False, False)]


def test_gzip_is_detected_by_content_not_name():
    # split_file never sees the name: a plain file called .gz and a gzip file called .txt both work.
    assert records(b"x\n") == [(1, "x", False, False)]
    assert records(gzip.compress(b"x\n")) == [(1, "x", False, False)]


def test_invalid_utf8_is_flagged_and_replaced():
    content = b"ok\nbad \xff\xfe end\n\xe4\xb8\xad\n"
    assert records(content) == [(1, "ok", False, False), (2, "bad \ufffd\ufffd end", True, False), (3, "中", False, False)]


def test_last_line_without_line_end_is_flagged():
    assert records(b"a\nb") == [(1, "a", False, False), (2, "b", False, True)]
    assert records(b"a\nb\n\n") == [(1, "a", False, False), (2, "b", False, False)]


def test_cut_gzip_stream_keeps_what_it_can_and_flags_the_last_line():
    whole = gzip.compress(b"".join(b"line %d\n" % i for i in range(2000)))
    out = records(whole[: len(whole) - 40])
    assert 0 < len(out) <= 2000
    assert out[-1][3] is True  # truncated
    assert [r[0] for r in out] == list(range(1, len(out) + 1))


def test_concatenated_gzip_members_are_read_in_full():
    assert [r[1] for r in records(gzip.compress(b"a\n") + gzip.compress(b"b\n"))] == ["a", "b"]


def test_header_is_the_first_non_blank_line_and_no_record():
    out = split_file(b"\xef\xbb\xbf\n lac,cell_id\r\n1,2\n", True)
    assert out.header == " lac,cell_id"
    assert out.line_no.tolist() == [3]


def test_empty_file_has_no_records():
    assert records(b"") == []
    assert split_file(b"", True).header is None
