"""Audience selection: a boolean expression over tag codes → the subscribers with all their tags.

Grammar (keywords case-insensitive)::

    expr   := term ( OR term )*
    term   := factor ( AND factor )*
    factor := NOT factor | '(' expr ')' | CODE

A CODE is any run of characters other than white space and parentheses (tag codes hold dots,
digits and district names). Syntax errors and unknown codes raise :class:`InputError` naming the
1-based character position.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lifecircle import tables
from lifecircle.csvout import write_csv
from lifecircle.errors import InputError
from lifecircle.lake import Lake

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([^\s()]+))")
KEYWORDS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Node:
    op: str  # code | and | or | not
    args: tuple = ()
    code: str = ""

    def codes(self) -> set[str]:
        return {self.code} if self.op == "code" else set().union(*[a.codes() for a in self.args])


@dataclass(frozen=True)
class Token:
    kind: str  # ( ) AND OR NOT code end
    text: str
    pos: int  # 1-based


def tokenize(text: str) -> list[Token]:
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            break
        if m.group(1):
            out.append(Token("(", "(", m.start(1) + 1))
        elif m.group(2):
            out.append(Token(")", ")", m.start(2) + 1))
        elif m.group(3):
            word = m.group(3)
            kind = word.upper() if word.upper() in KEYWORDS else "code"
            out.append(Token(kind, word, m.start(3) + 1))
        i = m.end()
    out.append(Token("end", "", len(text) + 1))
    return out


class Parser:
    def __init__(self, text: str, known: Collection[str] | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.known = None if known is None else set(known)

    def fail(self, token: Token, what: str) -> InputError:
        found = "end of expression" if token.kind == "end" else repr(token.text)
        return InputError(f"audience expression: position {token.pos}: {what}, found {found}")

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise self.fail(self.peek, "expected a tag code")
        node = self.expr()
        if self.peek.kind != "end":
            raise self.fail(self.peek, "expected AND, OR or the end")
        return node

    def expr(self) -> Node:
        args = [self.term()]
        while self.peek.kind == "OR":
            self.take()
            args.append(self.term())
        return args[0] if len(args) == 1 else Node("or", tuple(args))

    def term(self) -> Node:
        args = [self.factor()]
        while self.peek.kind == "AND":
            self.take()
            args.append(self.factor())
        return args[0] if len(args) == 1 else Node("and", tuple(args))

    def factor(self) -> Node:
        token = self.take()
        if token.kind == "NOT":
            return Node("not", (self.factor(),))
        if token.kind == "(":
            node = self.expr()
            close = self.take()
            if close.kind != ")":
                raise self.fail(close, "expected ')'")
            return node
        if token.kind == "code":
            if self.known is not None and token.text not in self.known:
                raise InputError(
                    f"audience expression: position {token.pos}: unknown tag code {token.text!r}"
                )
            return Node("code", code=token.text)
        raise self.fail(token, "expected a tag code, NOT or '('")


def parse(text: str, known: Collection[str] | None = None) -> Node:
    """The expression tree; codes are checked against ``known`` when given."""
    return Parser(text, known).parse()


def to_column(node: Node, tags: Column) -> Column:
    """A boolean Column over an array<string> column of the subscriber's tag codes."""
    if node.op == "code":
        return F.array_contains(tags, F.lit(node.code))
    if node.op == "not":
        return ~to_column(node.args[0], tags)
    parts = [to_column(a, tags) for a in node.args]
    out = parts[0]
    for p in parts[1:]:
        out = (out & p) if node.op == "and" else (out | p)
    return out


def latest_period(lake: Lake) -> str:
    period = lake.latest_partition_value(tables.CUSTOMER_TAGS, "period")
    if period is None:
        raise InputError(f"{tables.CUSTOMER_TAGS} under {lake.root} holds no period (run tags first)")
    return period


def select_from(tags: DataFrame, node: Node) -> DataFrame:
    """Per matching subscriber: subscriber_id, period, tags (sorted codes), details (all tag rows)."""
    per_sub = tags.groupBy("subscriber_id", "period").agg(
        F.array_sort(F.collect_set("tag_code")).alias("tags"),
        F.array_sort(
            F.collect_list(F.struct("tag_code", "value", "landmark_place_id", "landmark_name"))
        ).alias("details"),
    )
    return per_sub.where(to_column(node, F.col("tags")))


def select_audience(spark: SparkSession, lake: Lake | str, expr: str, period: str | None = None) -> DataFrame:
    """Subscribers of ``period`` (default: the latest) matching ``expr``, with all their tags."""
    lake = lake if isinstance(lake, Lake) else Lake(spark, lake)
    lake.require(tables.CUSTOMER_TAGS, optional=[tables.CATALOG], hint=" (run tags first)")
    period = period or latest_period(lake)
    tags = lake.read(tables.CUSTOMER_TAGS, partitions={"period": [period]})
    known = {r["tag_code"] for r in tags.select("tag_code").distinct().collect()}
    if lake.exists(tables.CATALOG):  # codes nobody holds this period are still valid codes
        known |= {r["code"] for r in lake.read(tables.CATALOG).select("code").collect()}
    return select_from(tags, parse(expr, known))


def write_audience(audience: DataFrame, path: str) -> int:
    """Write the audience as CSV (``subscriber_id,period,tags`` with tags comma-joined, header
    first) through a temporary file renamed into place; returns the number of subscribers."""
    rows = audience.select("subscriber_id", "period", F.array_join("tags", ",").alias("tags")).orderBy(
        "subscriber_id"
    )
    return write_csv(rows, path)


@dataclass(frozen=True)
class AudiencePreview:
    total: int  # subscribers matching
    rows: list[tuple[str, list[str]]]  # the first ones: (subscriber_id, sorted tag codes)


def preview_audience(audience: DataFrame, limit: int) -> AudiencePreview:
    """How many subscribers match, and the first ``limit`` of them (by subscriber_id) with their tags."""
    first = audience.select("subscriber_id", "tags").orderBy("subscriber_id").limit(limit).collect()
    return AudiencePreview(audience.count(), [(r["subscriber_id"], list(r["tags"])) for r in first])
