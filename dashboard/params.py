"""Chart and page parameters: typed, validated, and carried in the query string.

A page parses its query leniently (a bad value falls back to the default with a message); an
export route parses strictly (a bad value is an error naming the parameter).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from validation import Catalog


class ParamError(ValueError):
    """A query parameter with a value it cannot take; the message names the parameter."""


_COUNTRIES: dict[str, tuple[object, tuple[str, ...]]] = {}


def countries(catalog: Catalog) -> tuple[str, ...]:
    """The catalog's ISO3 codes, sorted; the same tuple while its countries table is the same
    object (every control change parses its country parameters against it)."""
    frame = catalog["countries"]
    hit = _COUNTRIES.get("iso3")
    if hit is None or hit[0] is not frame:
        hit = (frame, tuple(sorted(frame["iso3"])))
        _COUNTRIES["iso3"] = hit
    return hit[1]


_LOOKUPS: dict[int, tuple[Sequence[Any], dict[str, Any]]] = {}
# Param.listed's lists with the value put first, the same tuple for the same list and value.
_WITH_VALUE: dict[tuple[int, Any], tuple[Sequence[Any], tuple[Any, ...]]] = {}


def _by_lower(values: Sequence[Any]) -> dict[str, Any]:
    """{lower-case text: value} of a parameter's allowed values (the first of equal texts),
    built once per sequence object: parsing a country is then one lookup among 170."""
    hit = _LOOKUPS.get(id(values))
    if hit is None or hit[0] is not values:
        lookup: dict[str, Any] = {}
        for v in values:
            lookup.setdefault(str(v).lower(), v)
        hit = (values, lookup)
        if len(_LOOKUPS) > 64:  # country tuples of catalogs reloaded since
            _LOOKUPS.clear()
        _LOOKUPS[id(values)] = hit
    return hit[1]


@dataclass(frozen=True)
class Param:
    """One parameter: its query name, label, kind and default, and its allowed values.

    kind: 'choice' (one of `choices`), 'multi' (comma-separated subset of `choices`),
    'int' (whole number within lo..hi), 'percent' (number within lo..hi).
    `choices` is a sequence or a function of the catalog (country lists come from the data):
    what a value may be, checked by every parse. A page narrows it to what it can draw:
    `offered(catalog, values)` gives the values drawable with the values of the parameters
    before it (the years a pair has figures for), and a page settles a value outside them to
    the default, or the first offered (see settle); `options(catalog, values)` is what its
    control lists given every value (countries with figures for the year and measure),
    `offered` when not given. `words` shows a value to people ("India (IND)"), in controls and
    messages; `unavailable` says why a value was not offered ("{a} and {b} have no figures
    for {value}", filled with the words of the values).
    `labels(catalog)` gives the values in people's words ({value: label}) where they depend on
    the catalog (source ids); `narrow(catalog, values)` gives the choices that the other values
    leave (the sources that report the chosen countries that year): a value outside them is
    refused by a strict parse (exports), or on a page replaced by the default with a message.
    """

    name: str
    label: str
    kind: str
    default: Any
    choices: Sequence[Any] | Callable[[Catalog], Sequence[Any]] | None = None
    lo: float | None = None
    hi: float | None = None
    labels: Callable[[Catalog], Mapping[Any, str]] | None = None
    narrow: Callable[[Catalog, Mapping[str, Any]], Sequence[Any]] | None = None
    offered: Callable[[Catalog, Mapping[str, Any]], Sequence[Any]] | None = None
    options: Callable[[Catalog, Mapping[str, Any]], Sequence[Any]] | None = None
    words: Callable[[Any], str] | None = None
    unavailable: str = "no figures for {value}"

    def allowed(self, catalog: Catalog) -> list[Any]:
        return list(self._choices(catalog))

    def label_of(self, catalog: Catalog, value: Any) -> str:
        """A value as people read it: its label where `labels` has one, else show()."""
        labels = self.labels(catalog) if self.labels is not None else {}
        return labels[value] if value in labels else self.show(value)

    def show(self, value: Any) -> str:
        """A value (or one item of a 'multi' value) in people's words."""
        if self.words is not None:
            return self.words(value)
        if self.kind == "multi" and not isinstance(value, list | tuple):
            return str(value)
        return self.format(value)

    def listed(self, catalog: Catalog, values: Mapping[str, Any]) -> Sequence[Any]:
        """What this parameter's control lists for these values: its options, else what is
        offered, else every allowed value; the value itself always among them. The sequence
        the functions give (memoised per catalog) where it holds the value, so that callers
        may key on its identity."""
        pick = self.options or self.offered or self.narrow
        listed = pick(catalog, values) if pick is not None else self._choices(catalog)
        value = values.get(self.name)
        if self.kind != "multi" and value is not None and value not in listed:
            key = (id(listed), value)
            hit = _WITH_VALUE.get(key)
            if hit is None or hit[0] is not listed:
                if len(_WITH_VALUE) >= 256:
                    _WITH_VALUE.clear()
                hit = _WITH_VALUE[key] = (listed, (value, *listed))
            return hit[1]
        return listed

    def _choices(self, catalog: Catalog) -> Sequence[Any]:
        if self.choices is None:
            return ()
        return self.choices(catalog) if callable(self.choices) else self.choices

    def parse(self, raw: str, catalog: Catalog) -> Any:
        """The typed value of a query string value, or ParamError naming this parameter."""
        text = raw.strip()
        if self.kind == "choice":
            allowed = self._choices(catalog)
            match = _by_lower(allowed).get(text.lower(), _MISSING)
            if match is _MISSING:
                raise ParamError(f"{self.name}: {text!r} is not one of {_listed(allowed)}")
            return match
        if self.kind == "multi":
            allowed = self._choices(catalog)
            by_lower = _by_lower(allowed)
            items = [t.strip() for t in text.split(",") if t.strip()]
            bad = [t for t in items if t.lower() not in by_lower]
            if bad or not items:
                raise ParamError(
                    f"{self.name}: {', '.join(bad) or '(nothing)'} not among {_listed(allowed)}"
                )
            return tuple(dict.fromkeys(by_lower[t.lower()] for t in items))
        if self.kind in ("int", "percent"):
            # ASCII decimal only: float() also takes other scripts' digits ("٣٠"), fullwidth
            # ones, "1_000", "1e3", "inf" and "nan", none of which a URL of ours carries
            if not _DECIMAL.fullmatch(text):
                raise ParamError(f"{self.name}: {text!r} is not a number (digits 0-9)")
            number = float(text)
            if not math.isfinite(number) or not (self.lo <= number <= self.hi):
                raise ParamError(f"{self.name}: {text!r} is outside {self.lo:g}-{self.hi:g}")
            if self.kind == "int":
                if number != int(number):
                    raise ParamError(f"{self.name}: {text!r} is not a whole number")
                return int(number)
            return number
        raise ParamError(f"{self.name}: unknown parameter kind {self.kind}")

    def format(self, value: Any) -> str:
        """The query-string form of a value (inverse of parse)."""
        if self.kind == "multi":
            return ",".join(str(v) for v in value)
        if self.kind == "percent":
            return f"{value:g}"
        return str(value)


_MISSING = object()
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def _listed(values: Sequence[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:12])
    return shown + (", ..." if len(values) > 12 else "")


def parse_query(
    params: Sequence[Param], query: Mapping[str, str], catalog: Catalog, strict: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """Values for every parameter from a query; unknown keys and bad values are reported.

    Lenient (pages): a bad value becomes the default and a message says so.
    Strict (routes): the first problem raises ParamError.
    """
    known = {p.name: p for p in params}
    values: dict[str, Any] = {}
    messages: list[str] = []
    for key in query:
        if key not in known:
            msg = f"{key}: unknown parameter; known: {', '.join(known) or 'none'}"
            if strict:
                raise ParamError(msg)
            messages.append(msg)
    for p in params:
        raw = query.get(p.name)
        if raw is None or raw == "":
            values[p.name] = p.default
            continue
        try:
            values[p.name] = p.parse(str(raw), catalog)
        except ParamError as exc:
            if strict:
                raise
            values[p.name] = p.default
            messages.append(f"{exc}; showing {p.format(p.default)}")
    for p in params:
        if p.narrow is None or values[p.name] == p.default:
            continue
        left = p.narrow(catalog, values)
        if values[p.name] not in left:
            shown = ", ".join(p.label_of(catalog, v) for v in left)
            msg = (
                f"{p.name}: {p.label_of(catalog, values[p.name])} has nothing for this "
                f"selection; choose one of: {shown}"
            )
            if strict:
                raise ParamError(msg)
            values[p.name] = p.default
            messages.append(f"{msg}; showing {p.label_of(catalog, p.default)}")
    return values, messages


def settle(
    params: Sequence[Param],
    values: dict[str, Any],
    given: Iterable[str],
    catalog: Catalog,
) -> list[str]:
    """Bring the values of parameters with `offered` to what the page can draw, in parameter
    order (each judged with the values settled before it), in place. A value not offered
    becomes the default if offered, else the first offered; when the query gave it (`given`),
    a message says so, in people's words. Nothing is offered: the value stays, and the chart
    says what is missing."""
    given = set(given)
    messages: list[str] = []
    for p in params:
        if p.offered is None:
            continue
        offered = p.offered(catalog, values)
        value = values[p.name]
        if not offered or value in offered:
            continue
        values[p.name] = p.default if p.default in offered else offered[0]
        if p.name in given and value is not None:  # None: the parse has said why
            words = {
                q.name: q.show(values[q.name]) for q in params if values.get(q.name) is not None
            }
            why = p.unavailable.format(**{**words, "value": p.show(value)})
            messages.append(f"{p.name}: {why}; showing {p.show(values[p.name])}")
    # `a` and `b` are the two sides of a pair wherever a page has both.
    shown = {p.name: p for p in params}
    if {"a", "b"} <= shown.keys() and values["a"] == values["b"]:
        messages.append(
            f"a, b: both are {shown['a'].show(values['a'])}; choose two different countries"
        )
    return messages


def settle_unstated(
    params: Sequence[Param],
    values: dict[str, Any],
    query: Mapping[str, str],
    catalog: Catalog,
) -> None:
    """Settle, in place, the values a query left out (the defaults) to what the data can draw,
    as a page does (/chart/force-ratio.csv?a=IND&b=PAK draws their latest common year, not an
    empty 2020); values the query states stay as stated, for a strict parse to judge."""
    given = {k for k, v in query.items() if v not in (None, "")}
    settled = dict(values)
    settle(params, settled, given, catalog)
    for p in params:
        # None is a default the data decides at drawing (the force ratio's best measure).
        if p.name not in given and values[p.name] is not None:
            values[p.name] = settled[p.name]


def to_query(params: Sequence[Param], values: Mapping[str, Any]) -> str:
    """A query string ('?a=AZE&b=ARM...') in parameter order, for URLs that restore a view;
    a value of None (the data decides, as for the force ratio's measure) is left out."""
    from urllib.parse import urlencode

    pairs = [
        (p.name, p.format(values[p.name]))
        for p in params
        if p.name in values and values[p.name] is not None
    ]
    return "?" + urlencode(pairs, safe=",")
