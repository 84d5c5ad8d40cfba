"""Field parsers as Spark built-in expressions: each returns the typed value or null when invalid.

Spark 4 runs with ANSI mode, where a failing cast raises: every parser therefore checks the text
with a regular expression first and converts with ``try_*`` functions, so a bad value becomes null
and the caller turns "non-empty text, null value" into a reason code.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

_DECIMAL = r"^[+-]?[0-9]{1,10}(\.[0-9]{1,2})?$"  # amounts: CNY with at most 2 decimals
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
# The mask's digit runs (see mask_numbers_in_text): ten or more digits, a space or a dash allowed
# between two of them, optionally led by "+"; a run starts where no digit (or digit and separator)
# precedes it and ends where none follows.
_RUN_START = r"(?<![0-9]|[0-9][ -])"
_RUN_END = r"(?![ -]?[0-9])"
_AT_LEAST_TEN = r"(?=\+?[0-9](?:[ -]?[0-9]){9})"
# The two timestamp shapes of INTERFACES.md, exempt (see mask_numbers_in_text for why).
_COMPACT_TIMESTAMP = (
    r"20[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]" + _RUN_END
)
_DATE_HOUR = r"20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[ T](?:[01][0-9]|2[0-3]):"
_COUNTRY = r"(?:(?:\+|00)[ -]?86[ -]?|86[ -]?(?=1))?"  # kept: +86, 0086 or 86 before a mobile's 1
_DIGIT_RUN = (
    _RUN_START + f"(?!{_COMPACT_TIMESTAMP})(?!{_DATE_HOUR})" + _AT_LEAST_TEN
    + f"({_COUNTRY}[0-9][ -]?[0-9][ -]?[0-9])"  # prefix and first 3 digits: kept
    + r"((?:[ -]?[0-9])+?)"  # the middle: its digits become *
    + r"([ -]?[0-9][ -]?[0-9])" + _RUN_END  # last 2 digits: kept
)
# Private-use characters bracket each run's middle between the passes (no real line holds them).
_OPEN, _CLOSE = "\ue000", "\ue001"
_IN_MIDDLE = f"[0-9](?=[^{_OPEN}{_CLOSE}]*{_CLOSE})"
# A run crossing the cut is still masked when the text is cut this much later first (>= 10 digits).
_CUT_MARGIN = 32


# ASCII whitespace plus no-break and ideographic spaces (Chinese text editors insert them).
WHITESPACE = " \t\r\n\x0b\x0c\u00a0\u3000"


def strip_ws(col: Column) -> Column:
    """Surrounding whitespace removed (plain ``trim`` strips only spaces; a regex costs 5× more)."""
    return F.trim(col, F.lit(WHITESPACE))


def empty_to_null(col: Column) -> Column:
    return F.when(col != F.lit(""), col)


def normalize_msisdn(col: Column) -> Column:
    """INTERFACES.md: strip whitespace; drop a leading +86 or 86 only when exactly 11 digits remain;
    the result must be 11 digits starting with 1. Null when invalid.

    Lengths, prefixes and a strict integer cast instead of regular expressions: the same rule at a
    third of the cost, on every signaling line.
    """
    text = strip_ws(col)
    n = F.length(text)
    unprefixed = (
        F.when((n == F.lit(14)) & text.startswith("+86"), text.substr(4, 11))
        .when((n == F.lit(13)) & text.startswith("86"), text.substr(3, 11))
        .otherwise(text)
    )
    digits = unprefixed.try_cast("bigint").isNotNull()  # no sign possible: the first digit is 1
    return F.when((F.length(unprefixed) == F.lit(11)) & unprefixed.startswith("1") & digits, unprefixed)


def parse_int(col: Column, low: int | None = None, high: int | None = None, dtype: str = "int") -> Column:
    # try_cast to an integer type is strict in every ANSI mode (no decimals, exponents, inner
    # spaces or overflow): no regular expression needed, which matters at 10 M lines.
    return _in_range(col.try_cast(dtype), low, high)


def parse_double(col: Column, low: float | None = None, high: float | None = None) -> Column:
    value = F.when(col.rlike(_NUMBER), col.try_cast("double"))
    return _in_range(value, low, high)


def parse_decimal(col: Column, low: float | None = None) -> Column:
    return _in_range(F.when(col.rlike(_DECIMAL), col.try_cast("decimal(12,2)")), low, None)


def _in_range(value: Column, low: float | None, high: float | None) -> Column:
    ok = F.lit(True)
    if low is not None:
        ok = ok & (value >= F.lit(low))
    if high is not None:
        ok = ok & (value <= F.lit(high))
    return F.when(ok, value)


def parse_date(col: Column) -> Column:
    """``yyyy-MM-dd``; impossible dates (2026-02-30) are null."""
    return F.when(col.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), F.try_to_date(col, "yyyy-MM-dd"))


def parse_month(col: Column) -> Column:
    """``yyyyMM`` → ``yyyy-MM`` (the lake's month text)."""
    first = F.try_to_date(F.concat(col, F.lit("01")), "yyyyMMdd")
    return F.when(col.rlike(r"^[0-9]{6}$") & first.isNotNull(), F.date_format(first, "yyyy-MM"))


def parse_local_timestamp(col: Column, pattern: str, regex: str, timezone: str) -> Column:
    """Local wall-clock text → UTC instant (the session time zone is UTC, so the parsed value is
    the wall clock read as UTC, then shifted by the zone's offset at that moment)."""
    wall_clock = F.when(col.rlike(regex), F.try_to_timestamp(col, F.lit(pattern)))
    return F.to_utc_timestamp(wall_clock, timezone)


def mask_field(col: Column) -> Column:
    """Keep the first 3 and last 2 characters of a field longer than 5, star the rest."""
    n = F.length(col)
    middle = F.regexp_replace(col.substr(F.lit(4), n - F.lit(5)), ".", "*")
    return F.when(n > F.lit(5), F.concat(col.substr(F.lit(1), F.lit(3)), middle, col.substr(n - F.lit(1), F.lit(2)))).otherwise(col)


def mask_numbers_in_text(text: Column) -> Column:
    """Every run of 10 or more digits in ``text`` masked, wherever it stands: ``+``, ``00`` or
    spaces and dashes inside it are part of the run (``+86 138 0013 8000``, ``0086-138-0013-8000``,
    ``8613800138000``). A run keeps its country prefix (86, +86, 0086), its first 3 and its last 2
    digits; every digit between becomes ``*``, separators stay: ``138******00``,
    ``86138******00``, ``+86 138 **** **00``. Runs of 9 digits or fewer are left alone (dates,
    amounts, cell ids).

    Exempt are the interface files' own timestamps: a whole run of exactly ``yyyyMMddHHmmss``
    (14 digits, year 20xx, month, day, hour, minute and second in range) and the ``yyyy-MM-dd HH:``
    start of ``yyyy-MM-dd HH:mm:ss``, whose first 10 digits form a run by the rule above. A
    rejected line's timestamp is often why it was rejected (``bad_timestamp``, ``ts_outside_day``),
    and masking it would destroy that evidence; neither shape can be a phone number (a mainland
    mobile is 11 digits starting with 1, 13 with 86, 15 with 0086; no number of the plan is 14
    digits starting with 20). Anything glued to a timestamp makes a longer run, which is masked.
    Masking runs of 10–13 digits only would let a number glued to other digits (a lost
    delimiter) through; this keeps "every run of >= 10 digits" with two narrow exceptions.

    Built-ins only: the run's middle is bracketed by private-use characters, its digits starred,
    the brackets dropped.
    """
    marked = F.regexp_replace(text, _DIGIT_RUN, f"$1{_OPEN}$2{_CLOSE}$3")
    starred = F.regexp_replace(marked, _IN_MIDDLE, "*")
    return F.regexp_replace(starred, f"[{_OPEN}{_CLOSE}]", "")


def mask_msisdn_in_line(text: Column, delimiter: str, position: int, max_chars: int) -> Column:
    """A rejected line safe to store: its msisdn field masked (``138******00``), then every other
    number in it (:func:`mask_numbers_in_text`; fields can be shifted in a malformed line), cut to
    ``max_chars``. The line is cut a little beyond ``max_chars`` first, which bounds the regex work
    on a huge damaged line yet leaves any run reaching into the kept part long enough to be masked."""
    text = F.substring(text, 1, max_chars + _CUT_MARGIN)
    fields = F.split(text, "\\" + delimiter if delimiter == "|" else delimiter, -1)
    masked = F.transform(fields, lambda x, i: F.when(i == F.lit(position), mask_field(x)).otherwise(x))
    joined = F.array_join(masked, delimiter)
    return F.substring(mask_numbers_in_text(joined), 1, max_chars)
