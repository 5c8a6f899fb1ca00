"""OData query options as CBS's v3 service understands them, applied to a DataFrame.

>>> import pandas as pd
>>> rows = pd.DataFrame({"RegioS": ["NL01  ", "VT22  "], "Perioden": ["2021HJ01", "2021HJ01"]})
>>> compile_filter("RegioS eq 'VT22  ' and Perioden eq '2021HJ01'")(rows).tolist()
[False, True]

Supported in ``$filter``: ``eq``, ``ne``, ``gt``, ``ge``, ``lt``, ``le``, ``and``, ``or``,
``not``, parentheses, ``substringof('text', Field)``, ``startswith(Field, 'text')`` and
``endswith(Field, 'text')``. Literals are ``'strings'`` (a quote doubled inside), numbers
and ``null``. Comparison is exact, as at CBS: region keys must be padded (``'NL01  '``).
Anything else raises :class:`ODataError`, which the server answers with HTTP 400.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ODataError

__all__ = ["ODataError", "compile_filter", "parse_select", "QueryOptions"]

Mask = Callable[[pd.DataFrame], pd.Series]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<punct>[(),])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"
)
_COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge,
            "lt": operator.lt, "le": operator.le}
_FUNCTIONS = {"substringof", "startswith", "endswith"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # str, num, punct, name
    text: str


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ODataError(f"onbegrijpelijk $filter bij positie {pos}: {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        out.append(_Tok(kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent: or → and → not → comparison | function | ( expr )."""

    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (kind and tok.kind != kind) or (text and tok.text.lower() != text):
            want = text or kind or "meer"
            raise ODataError(f"$filter: '{want}' verwacht, gevonden {tok.text if tok else 'einde'!r}")
        self.i += 1
        return tok

    def at_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "name" and tok.text.lower() == word

    def parse(self) -> Mask:
        expr = self.or_expr()
        if self.peek() is not None:
            raise ODataError(f"$filter: onverwacht {self.peek().text!r}")
        return expr

    def or_expr(self) -> Mask:
        return self.chain("or", self.and_expr, operator.or_)

    def and_expr(self) -> Mask:
        return self.chain("and", self.unary, operator.and_)

    def chain(self, word: str, operand: Callable[[], Mask], op) -> Mask:
        """``operand (word operand)*``: one or more operands joined by ``word``, combined with ``op``."""
        parts = [operand()]
        while self.at_word(word):
            self.take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else _combine(parts, op)

    def unary(self) -> Mask:
        if self.at_word("not"):
            self.take()
            inner = self.unary()
            return lambda df: ~inner(df)
        tok = self.peek()
        if tok is not None and tok.kind == "punct" and tok.text == "(":
            self.take()
            inner = self.or_expr()
            self.take("punct", ")")
            return inner
        if tok is not None and tok.kind == "name" and tok.text.lower() in _FUNCTIONS:
            return self.function()
        return self.comparison()

    def operand(self):
        tok = self.take()
        if tok.kind == "str":
            return ("lit", tok.text[1:-1].replace("''", "'"))
        if tok.kind == "num":
            return ("lit", float(tok.text))
        if tok.kind == "name" and tok.text.lower() == "null":
            return ("lit", None)
        if tok.kind == "name":
            return ("field", tok.text)
        raise ODataError(f"$filter: waarde verwacht, gevonden {tok.text!r}")

    def comparison(self) -> Mask:
        left = self.operand()
        op_tok = self.take("name")
        op = _COMPARE.get(op_tok.text.lower())
        if op is None:
            raise ODataError(f"$filter: operator '{op_tok.text}' wordt niet ondersteund")
        right = self.operand()
        if left[0] == "lit" and right[0] == "field":  # 'x' eq Field
            left, right = right, left
        if left[0] != "field" or right[0] != "lit":
            raise ODataError("$filter: vergelijk een veld met een waarde")
        return _compare(left[1], op, right[1])

    def function(self) -> Mask:
        name = self.take("name").text.lower()
        self.take("punct", "(")
        first = self.operand()
        self.take("punct", ",")
        second = self.operand()
        self.take("punct", ")")
        if name == "substringof":
            (lk, text), (fk, field) = first, second
        else:
            (fk, field), (lk, text) = first, second
        if lk != "lit" or fk != "field" or not isinstance(text, str):
            raise ODataError(f"$filter: {name} verwacht een veld en een tekst")

        def mask(df):
            col = _column(df, field).astype("string").fillna("")
            if name == "substringof":
                return col.str.contains(text, regex=False).astype(bool)
            return getattr(col.str, name)(text).astype(bool)

        return mask


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        raise ODataError(f"$filter: onbekend veld '{name}'")
    return df[name]


def _combine(parts: list[Mask], op) -> Mask:
    def mask(df):
        out = parts[0](df)
        for part in parts[1:]:
            out = op(out, part(df))
        return out

    return mask


def _compare(field: str, op, value) -> Mask:
    def mask(df):
        col = _column(df, field)
        if value is None:
            isnull = col.isna()
            return isnull if op is operator.eq else ~isnull
        if isinstance(value, float):
            num = pd.to_numeric(col, errors="coerce")
            return pd.Series(np.asarray(op(num, value).fillna(False), dtype=bool), index=df.index)
        return pd.Series(np.asarray(op(col.astype("string"), value).fillna(False), dtype=bool),
                         index=df.index)

    return mask


def compile_filter(text: str | None) -> Mask:
    """A function ``frame → boolean Series`` for an OData ``$filter`` (empty: every row)."""
    if not text or not text.strip():
        return lambda df: pd.Series(True, index=df.index)
    return _Parser(text).parse()


def parse_select(text: str | None, columns: list[str]) -> list[str]:
    """The columns ``$select`` asks for, in the order asked; unknown names are an error."""
    if not text or not text.strip():
        return list(columns)
    wanted = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in columns]
    if unknown:
        raise ODataError(f"$select: onbekend veld {', '.join(unknown)}")
    return wanted


def _int_option(params: dict, name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ODataError(f"{name} moet een geheel getal zijn, niet {raw!r}") from None
    if value < 0:
        raise ODataError(f"{name} mag niet negatief zijn")
    return value


@dataclass(frozen=True)
class QueryOptions:
    """``$filter``, ``$select``, ``$top``, ``$skip`` and the server's ``$skiptoken``."""

    filter: str = ""
    select: str = ""
    top: int | None = None
    skip: int = 0
    skiptoken: int = 0
    format: str = "json"

    @classmethod
    def from_params(cls, params: dict[str, str]) -> "QueryOptions":
        fmt = (params.get("$format") or "json").lower()
        if fmt != "json":
            raise ODataError(f"$format={fmt} wordt niet ondersteund; gebruik $format=json")
        return cls(
            filter=params.get("$filter", ""),
            select=params.get("$select", ""),
            top=_int_option(params, "$top"),
            skip=_int_option(params, "$skip") or 0,
            skiptoken=_int_option(params, "$skiptoken") or 0,
        )

    def apply(self, frame: pd.DataFrame, page_size: int) -> tuple[pd.DataFrame, int | None]:
        """Rows of this page and the ``$skiptoken`` of the next page (``None``: last page)."""
        rows = frame[compile_filter(self.filter)(frame)]
        rows = rows[parse_select(self.select, list(frame.columns))]
        end = len(rows) if self.top is None else min(len(rows), self.skip + self.top)
        start = self.skip + self.skiptoken
        stop = min(end, start + page_size)
        next_token = stop - self.skip if stop < end else None
        return rows.iloc[start:stop], next_token
