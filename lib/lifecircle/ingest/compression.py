"""gzip as landing folders deliver it: several members, trailing padding, cut or corrupt streams,
and files named ``.gz`` that are not gzip at all."""

from __future__ import annotations

import zlib

GZIP_MAGIC = b"\x1f\x8b"


def gunzip(content: bytes) -> tuple[bytes, bool]:
    """All members of a gzip stream; ``complete`` is False when the stream is cut or corrupt."""
    parts, rest = [], content
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            parts.append(inflater.decompress(rest))
        except zlib.error:
            return b"".join(parts), False
        if not inflater.eof:
            return b"".join(parts), False
        rest = inflater.unused_data
        if rest and not rest.startswith(GZIP_MAGIC):
            break  # trailing padding after the last member, as some writers leave
    return b"".join(parts), True


def compression_problem(name: str, content: bytes) -> tuple[str, str] | None:
    """(reason code, detail) when the bytes are not what the name promises, else None.

    The bytes decide how a file is read (gzip magic → gunzip), so a mislabelled file is still read;
    the problem is reported so that the source system can be told."""
    if content.startswith(GZIP_MAGIC):
        data, complete = gunzip(content)
        if not complete:
            return "corrupt_gzip", f"gzip stream cut or corrupt after {len(data):,} bytes; the lines before are kept"
        return None
    if name.endswith(".gz"):
        return "not_gzip", "named .gz but not gzip; read as plain text"
    return None
