"""The text exposition format read as Go's parser reads it (prometheus/common expfmt TextParser, node_exporter 1.5).

`parse(data)` accepts and rejects exactly what Go's parser does: a line that does not end in a newline, CRLF,
anything after the value but a timestamp, a value Go's ParseFloat refuses (`1e400`, `+nan`, `1_0`), TYPE after
samples, a second HELP or TYPE, escapes other than \\\\ \\n (and \\" in label values), label values that are not
UTF-8, `le`/`quantile` that are not floats. Lines are independent, so each is matched by one regular expression
(the common shapes) and only the rest go through the character-level rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

TYPES = {"COUNTER": "counter", "GAUGE": "gauge", "SUMMARY": "summary", "UNTYPED": "untyped",
         "HISTOGRAM": "histogram"}  # Go also knows GAUGE_HISTOGRAM, and panics on its samples: refused here

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_FLOAT = r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)|[nN][aA][nN]"
_NAME_RE = re.compile(_NAME)
_LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_FLOAT_RE = re.compile(_FLOAT)
_INT64_RE = re.compile(r"[+-]?[0-9]+")
# The shapes nearly every line has, `name value` and `name{a="b",...} value` (no escapes, one space), found
# by one search over the whole text; the lines between two matches are checked line by line, unless they are
# only blank lines and plain comments.
_SAMPLE_RE = re.compile(
    rf'^({_NAME})(?:\{{((?:[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*",)*[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*",?)\}})? '
    rf"({_FLOAT})\n", re.MULTILINE)
_SKIPPED_RE = re.compile(r"(?:[ \t]*(?:#(?![ \t]*(?:HELP|TYPE)[ \t])[^\n]*)?\n)*")
_PAIR_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"')
_KEYWORD_RE = re.compile(r"#[ \t]*(HELP|TYPE)[ \t]")
_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_INF = math.inf
_U64 = 1 << 64
_I63 = 1 << 63


class TextFormatError(ValueError):
    """The input is not the text format; the message says where, as Go's does."""


@dataclass
class Group:
    """One summary or histogram: its labels, count, sum and quantiles or buckets in file order."""

    labels: dict[str, str]
    count: int = 0
    sum: float = 0.0
    entries: list[tuple[float, float]] = field(default_factory=list)  # (quantile or bound, value or count)


@dataclass
class ParsedFamily:
    name: str
    help: str | None = None
    type: str | None = None
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)  # counter, gauge, untyped
    groups: dict[tuple, Group] = field(default_factory=dict)  # summary, histogram: by their labels


@dataclass
class Parsed:
    families: dict[str, ParsedFamily]  # by name, in the order they were first named
    has_timestamps: bool


def go_uint64(value: float) -> int:
    """float64 -> uint64 as Go compiles it on amd64 (what the parser does to counts): -3 wraps, NaN is 2^63."""
    if value < _I63:
        if value < -_I63:
            return _I63
        return int(value) % _U64
    rest = value - _I63
    if rest == rest and rest < _I63:
        return int(rest) | _I63
    return _I63


def go_float(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 64) with expfmt's specials: how Go writes `le` and `quantile`."""
    if value == 0:
        return "0"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign, digits, exponent = _shortest(value)
    point = len(digits) + exponent  # digits before the decimal point
    exp = point - 1
    if exp < -4 or exp >= 6:  # Go's shortest 'g' switches to an exponent from 1e+06 and below 1e-04
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _shortest(value: float) -> tuple[str, str, int]:
    text = repr(abs(value))
    sign = "-" if value < 0 else ""
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    whole, _, frac = mantissa.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    exponent -= len(frac)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return sign, stripped or "0", exponent


def parse_float(token: str, what: str = "value") -> float:
    """Go's parseFloat: strconv.ParseFloat without hex floats and underscores; out of range is an error."""
    if _FLOAT_RE.fullmatch(token) is None:
        raise TextFormatError(f"expected float as {what}, got {token!r}")
    value = float(token)
    if value in (_INF, -_INF) and token[-1] not in "fFyY":
        raise TextFormatError(f"expected float as {what}, got {token!r} (out of range)")
    return value


def _unescape(text: str, quote: bool) -> str:
    r"""Label values (quote=True) know \\ \" \n, HELP texts \\ \n; any other escape is an error."""
    out = []
    i, n = 0, len(text)
    allowed = '\\"n' if quote else "\\n"
    while i < n:
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if j + 1 >= n or text[j + 1] not in allowed:
            nxt = text[j + 1] if j + 1 < n else "\n"
            raise TextFormatError(f"invalid escape sequence '\\{nxt}'")
        out.append("\n" if text[j + 1] == "n" else text[j + 1])
        i = j + 2
    return "".join(out)


def _skip_blanks(line: str, i: int) -> int:
    n = len(line)
    while i < n and line[i] in " \t":
        i += 1
    return i


def _tokenize_sample(line: str) -> tuple[str, list[tuple[str, str]], str, str | None]:
    """Go's states from readingMetricName to startTimestamp for one line (no newline, no leading blanks)."""
    match = _NAME_RE.match(line)
    if match is None:
        raise TextFormatError("invalid metric name")
    name = match.group()
    n = len(line)
    i = _skip_blanks(line, match.end())
    pairs: list[tuple[str, str]] = []
    if i < n and line[i] == "{":
        i += 1
        while True:
            i = _skip_blanks(line, i)
            if i < n and line[i] == "}":
                i = _skip_blanks(line, i + 1)
                break
            match = _LABEL_NAME_RE.match(line, i)
            if match is None:
                raise TextFormatError(f"invalid label name for metric {name!r}")
            label = match.group()
            i = _skip_blanks(line, match.end())
            if i >= n or line[i] != "=":
                raise TextFormatError(f"expected '=' after label name {label!r}")
            i = _skip_blanks(line, i + 1)
            if i >= n or line[i] != '"':
                raise TextFormatError(f"expected '\"' at start of label value of {label!r}")
            j = i + 1
            while True:  # the closing quote: the first one not escaped
                j = line.find('"', j)
                if j < 0:
                    raise TextFormatError(f"label value of {label!r} contains unescaped new-line")
                backslashes = 0
                while line[j - 1 - backslashes] == "\\":
                    backslashes += 1
                if backslashes % 2 == 0:
                    break
                j += 1
            raw = line[i + 1:j]
            pairs.append((label, _unescape(raw, quote=True) if "\\" in raw else raw))
            i = _skip_blanks(line, j + 1)
            if i < n and line[i] == ",":
                i += 1
                continue
            if i < n and line[i] == "}":
                i = _skip_blanks(line, i + 1)
                break
            raise TextFormatError(f"unexpected end of label value of {label!r}")
    j = i
    while j < n and line[j] not in " \t":
        j += 1
    value = line[i:j]
    if j >= n:
        return name, pairs, value, None
    k = _skip_blanks(line, j)
    start = k
    while k < n and line[k] not in " \t":
        k += 1
    stamp = line[start:k]
    if _INT64_RE.fullmatch(stamp) is None or not -_I63 <= int(stamp) < _I63:
        raise TextFormatError(f"expected integer as timestamp, got {stamp!r}")
    if k < n:
        raise TextFormatError(f"spurious string after timestamp: {line[k:]!r}")
    return name, pairs, value, stamp


class _Parser:
    def __init__(self, utf8: bool) -> None:
        self.families: dict[str, ParsedFamily] = {}
        self.utf8 = utf8
        self.has_timestamps = False

    def family(self, name: str) -> tuple[ParsedFamily, str]:
        """Go's setOrCreateCurrentMF: the family a name belongs to, and whether it is a _count/_sum line."""
        families = self.families
        found = families.get(name)
        if found is not None:
            return found, ""
        role = "count" if len(name) > 6 and name.endswith("_count") else \
            "sum" if len(name) > 4 and name.endswith("_sum") else ""
        if role:
            base = families.get(name[:-6] if role == "count" else name[:-4])
            if base is not None and base.type in ("summary", "histogram"):
                return base, role
        elif len(name) > 7 and name.endswith("_bucket"):
            base = families.get(name[:-7])
            if base is not None and base.type == "histogram":
                return base, ""
        created = families[name] = ParsedFamily(name)
        return created, ""

    def comment(self, line: str) -> None:
        keyword = _KEYWORD_RE.match(line)
        if keyword is None:
            return  # a plain comment, or HELP/TYPE alone on its line: ignored, as Go does
        keyword_end = keyword.end(1)
        i = _skip_blanks(line, keyword_end)
        match = _NAME_RE.match(line, i)
        name = match.group() if match else ""
        i = match.end() if match else i
        if i >= len(line):
            return
        if line[i] not in " \t":
            raise TextFormatError("invalid metric name in comment")
        family, _role = self.family(name)
        i = _skip_blanks(line, i)
        if i >= len(line):
            return
        rest = line[i:]
        if keyword.group(1) == "HELP":
            if family.help is not None:
                raise TextFormatError(f"second HELP line for metric name {family.name!r}")
            text = _unescape(rest, quote=False) if "\\" in rest else rest
            if not self.utf8:
                text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            family.help = text
            return
        if family.type is not None:
            raise TextFormatError(f"second TYPE line for metric name {family.name!r}, or TYPE reported after samples")
        mtype = TYPES.get(rest.upper())
        if mtype is None:
            raise TextFormatError(f"unknown metric type {rest!r}")
        family.type = mtype

    def sample(self, name: str, pairs: list[tuple[str, str]], value: float) -> None:
        family, role = self.family(name)
        mtype = family.type
        if mtype is None:
            mtype = family.type = "untyped"
        if mtype != "summary" and mtype != "histogram":
            labels = dict(pairs)
            if len(labels) != len(pairs) or "__name__" in labels:
                self._bad_labels(family.name, pairs)
            if not self.utf8:
                self._check_utf8(pairs)
            family.samples.append((labels, value))
            return
        special = "quantile" if mtype == "summary" else "le"
        bound = math.nan
        labels = {}
        for label, text in pairs:
            if label == special:
                bound = parse_float(text, f"value for {special!r} label")
            elif label in labels or label == "__name__":
                self._bad_labels(family.name, pairs)
            else:
                labels[label] = text
        if not self.utf8:
            self._check_utf8(pairs)
        key = tuple(sorted(labels.items()))
        group = family.groups.get(key)
        if group is None:
            group = family.groups[key] = Group(labels)
        if role == "count":
            group.count = go_uint64(value)
        elif role == "sum":
            group.sum = value
        elif bound == bound:
            group.entries.append((bound, value if mtype == "summary" else float(go_uint64(value))))

    @staticmethod
    def _bad_labels(name: str, pairs: list[tuple[str, str]]) -> None:
        if any(label == "__name__" for label, _ in pairs):
            raise TextFormatError('label name "__name__" is reserved')
        raise TextFormatError(f"duplicate label names for metric {name!r}")

    @staticmethod
    def _check_utf8(pairs: list[tuple[str, str]]) -> None:
        for _label, text in pairs:
            if _SURROGATE_RE.search(text):
                raise TextFormatError(f"invalid label value {text!r}")

    def line(self, line: str) -> None:
        if line[:1] in (" ", "\t"):
            line = line.lstrip(" \t")
        if not line:
            return
        if line[0] == "#":
            self.comment(line)
            return
        name, pairs, token, stamp = _tokenize_sample(line)
        value = parse_float(token)
        if stamp is not None:
            self.has_timestamps = True
        self.sample(name, pairs, value)


def parse(data: bytes) -> Parsed:
    """Parse a whole file; raises TextFormatError (with the line number) where Go's parser fails."""
    try:
        text = data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")
        utf8 = False
    end = text.rfind("\n") + 1  # what follows the last newline may only be blanks
    if text[end:].strip(" \t"):
        raise TextFormatError(f"text format parsing error in line {text.count(chr(10)) + 1}: "
                              "unexpected end of input stream")
    parser = _Parser(utf8)
    families = parser.families
    pair_re, skipped = _PAIR_RE.findall, _SKIPPED_RE.fullmatch
    pos = 0
    try:
        for match in _SAMPLE_RE.finditer(text, 0, end):  # pos: where the line being read starts
            start = match.start()
            if start != pos and skipped(text, pos, start) is None:
                for line in text[pos:start].split("\n")[:-1]:
                    parser.line(line)
                    pos += len(line) + 1
            pos = match.end()
            name, body, token = match.groups()
            pairs = pair_re(body) if body else []
            value = float(token)
            if value - value != 0 and value == value and token[-1] not in "fFyY":
                raise TextFormatError(f"expected float as value, got {token!r} (out of range)")
            family = families.get(name)
            if utf8 and family is not None and (family.type == "gauge" or family.type == "counter"
                                                or family.type == "untyped"):
                labels = dict(pairs)
                if len(labels) != len(pairs) or "__name__" in labels:
                    parser._bad_labels(name, pairs)
                family.samples.append((labels, value))
            else:
                parser.sample(name, pairs, value)
        if pos != end and skipped(text, pos, end) is None:
            for line in text[pos:end].split("\n")[:-1]:
                parser.line(line)
                pos += len(line) + 1
    except TextFormatError as exc:
        raise TextFormatError(f"text format parsing error in line {text.count(chr(10), 0, pos) + 1}: {exc}") from None
    for name in [name for name, family in families.items() if not family.samples and not family.groups]:
        del families[name]
    return Parsed(families, parser.has_timestamps)
