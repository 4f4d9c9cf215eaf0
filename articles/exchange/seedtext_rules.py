"""The vocabulary and the line-by-line rules of the seed-text parser (``articles.exchange.seedtext``): what a parse
gives (``ParsedArticle`` …) or refuses (``SeedTextError``), footnote markers, the old site's page chrome, what looks
like a title, a category or a name, and references with their access dates.

Like the parser, no Django import, and every rule linear in the length of its line.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINE_LENGTH = 100_000  # characters; a real paragraph is a few thousand at most
MAX_FILE_BYTES = 5 * 1024 * 1024

ACCESS_DATE_LABELS = {"tr": "Erişim Tarihi", "en": "Date of Access", "ru": "Дата обращения"}

NO_TITLE_MESSAGE = "the file has no title line; its first line is already body text — give one with --title"
NO_BODY_MESSAGE = "the file has no body text"


class SeedTextError(ValueError):
    """A file that cannot be imported; str() is one clear line."""

    def __init__(self, message: str, *, line: int | None = None):
        # Shown in a command's output and in an admin form error: keep it to one line.
        self.message = " ".join(str(message).split())
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message

    def __reduce__(self):  # keep ``line`` when the error crosses a process boundary
        return (_restore_error, (type(self), self.message, self.line))


def _restore_error(cls: type[SeedTextError], message: str, line: int | None) -> SeedTextError:
    return cls(message, line=line)


@dataclass(frozen=True)
class ParsedReference:
    """One entry of the reference list, split into the parts the Reference model stores separately."""

    marker: str
    text: str
    url: str
    accessed_on: datetime.date | None
    line: int


@dataclass(frozen=True)
class ParsedAuthor:
    """An author block; the name is kept as written so the importer can match existing authors itself."""

    name: str
    bio: str
    line: int


@dataclass
class ParsedArticle:
    """Everything recovered from one export; ``warnings`` are problems worth showing but not worth refusing."""

    category: str
    title: str
    highlights: list[str]
    paragraphs: list[str]
    references: list[ParsedReference]
    authors: list[ParsedAuthor]
    warnings: list[str]


# --- Markers --------------------------------------------------------------------------------------------------
# Roman numerals are matched by their grammar, not as any run of the letters ivxlcdm, so editorial brackets such
# as "[did]" or "[civil]" are not taken for footnotes. Every quantifier is bounded: no catastrophic backtracking.
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
FOOTNOTE_MARKER_RE = re.compile(r"\[(?P<marker>[0-9]{1,4}|" + _ROMAN + r")\]")


def body_markers(paragraphs: Iterable[str]) -> list[str]:
    """Markers in order of first appearance, so references can be checked (and numbered) the way readers meet them."""
    seen: dict[str, None] = {}
    for paragraph in paragraphs:
        for match in FOOTNOTE_MARKER_RE.finditer(paragraph):
            seen.setdefault(match.group("marker"), None)
    return list(seen)


def reference_marker(line: str) -> str | None:
    """The marker when ``line`` starts a reference ("[3] …", "[iv]\u00a0…"); a reference always opens its line."""
    match = FOOTNOTE_MARKER_RE.match(line)
    return match.group("marker") if match else None


# --- Case folding and chrome ----------------------------------------------------------------------------------
_I_VARIANTS = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def fold(value: str) -> str:
    """A matching key where "ANALİZ", "Analiz", "ANALIZ" and "analiz" agree, whatever language the line is in.

    Turkish lower-cases I to ı and English to i; a key that merges all four i's works for both.
    """
    value = unicodedata.normalize("NFC", value).translate(_I_VARIANTS)
    return " ".join(value.casefold().split())


_CHROME_LINES = {fold(s) for s in ("Paylaş", "Share", "Поделиться", "Similar Posts", "Benzer Yazılar", "Похожие записи")}
_CHROME_PREFIXES = tuple(
    fold(s) for s in ("This post is also available in", "Bu yazı şu dillerde de mevcut", "Эта запись также доступна на")
)
_CHROME_MAX_LENGTH = 300  # chrome lines are short; long lines are never folded just to be compared


def is_chrome(line: str) -> bool:
    if len(line) > _CHROME_MAX_LENGTH:
        return False
    key = fold(line)
    return key.rstrip(":").rstrip() in _CHROME_LINES or key.startswith(_CHROME_PREFIXES)


# --- Title, category and author heuristics --------------------------------------------------------------------
TITLE_MAX_LENGTH = 250
_CLOSING_QUOTES = "\"'”’»›"
_SENTENCE_END = ".!?…"


def is_marked_line(line: str) -> bool:
    return reference_marker(line) is not None or FOOTNOTE_MARKER_RE.search(line) is not None


def looks_like_title(line: str, *, followed_by_chrome: bool = False) -> bool:
    """Titles are short, cite nothing and are not sentences.

    A question or exclamation directly followed by page chrome is still a title: the site puts chrome right under
    the title, and refusing "What Next for Korea?" would only send the editor to --title for no reason.
    """
    if len(line) > TITLE_MAX_LENGTH or is_marked_line(line):
        return False
    core = line.rstrip(_CLOSING_QUOTES + " ")
    if not core or core[-1] not in _SENTENCE_END:
        return True
    return followed_by_chrome and core[-1] in "?!"


def looks_like_category(line: str) -> bool:
    return (
        len(line) <= 40
        and len(line.split()) <= 3
        and not any(ch in line for ch in ".!?…:;")
        and not is_marked_line(line)
    )


def looks_like_name(line: str) -> bool:
    # Guards against a paragraph pasted twice being read as an author.
    return len(line) <= 150 and not is_marked_line(line)


# --- References -----------------------------------------------------------------------------------------------
# Lookbehinds make the two scheme-less forms start only at the beginning of a token, which keeps the search
# linear: without them every position inside a long "a.b.c.d…" run would start a new scan.
_URL_RE = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://\S+"
    r"|(?<![\w@/.\-])[Ww]{3}\.\S+"
    r"|(?<![\w@/.\-])(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,}/\S*"
)
_URL_TRAILING = ",;.:!?\"'”’»"


def _label_pattern(label: str) -> str:
    return "".join("[iIİı]" if ch in "iIİı" else re.escape(ch) for ch in label)


_LABELS = "|".join(_label_pattern(label) for label in ACCESS_DATE_LABELS.values())
# Applied to whitespace-normalised text (single spaces), hence " ?" rather than an unbounded "\s*".
_ACCESS_RE = re.compile(
    r"(?:\( ?)?(?:" + _LABELS + r") ?:? ?(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?P<year>[0-9]{4}) ?\)?",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(_LABELS, re.IGNORECASE)
_EMPTY_PARENS_RE = re.compile(r"\( ?\)")
_SEPARATORS = " ,;:"


def _clean_url(url: str) -> str:
    """Trailing punctuation belongs to the sentence, except a ")" that closes a "(" inside the URL."""
    opened, closed = url.count("("), url.count(")")
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _URL_TRAILING:
            end -= 1
        elif ch == ")" and closed > opened:
            closed -= 1
            end -= 1
        else:
            break
    return url[:end]


def _splice(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without ``spans``, tidying the separators the removed pieces leave behind.

    "“T”, Reuters,, (Erişim Tarihi: 14.09.2023)." must become "“T”, Reuters": the separators and the final full
    stop that only surrounded the URL and the date go, while a full stop inside the text ("Dept.") stays.
    """
    pieces, pos = [], 0
    for start, end in sorted(spans):
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])

    result, gap = pieces[0].rstrip(), ""
    for piece in pieces[1:]:
        piece = piece.strip()
        if result.endswith("(") and piece.startswith(")"):  # "(https://…)" leaves "()"
            result, piece = result[:-1].rstrip(), piece[1:].lstrip()
        core = result.rstrip(_SEPARATORS)
        gap += result[len(core):]
        result = core
        rest = piece.lstrip(_SEPARATORS + ".")
        gap += piece[: len(piece) - len(rest)]
        if rest:
            if result:
                sep = ". " if "." in gap else "; " if ";" in gap else ", " if "," in gap else " "
                result = f"{result}{sep}{rest}"
            else:
                result = rest
            gap = ""
        result = result.rstrip()
    result = " ".join(_EMPTY_PARENS_RE.sub("", result).split())
    return result.strip(_SEPARATORS)


def parse_reference(marker: str, parts: list[tuple[int, str]], warnings: list[str]) -> ParsedReference:
    line = parts[0][0]
    # Whitespace (including the no-break spaces of the exports) is normalised per line, then lines are joined with
    # one space; the offsets let an error point at the line that really holds the bad date.
    segments, starts, offset = [], [], 0
    for part_line, part in parts:
        normalised = " ".join(part.split())
        if not normalised:
            continue
        if segments:
            offset += 1
        starts.append((offset, part_line))
        segments.append(normalised)
        offset += len(normalised)
    text = " ".join(segments)

    spans: list[tuple[int, int]] = []
    accessed_on = None
    date_match = _ACCESS_RE.search(text)
    if date_match:
        day, month, year = (int(date_match.group(g)) for g in ("day", "month", "year"))
        date_line = line
        for seg_start, seg_line in starts:
            if seg_start <= date_match.start():
                date_line = seg_line
        try:
            accessed_on = datetime.date(year, month, day)
        except ValueError:
            raise SeedTextError(
                f"reference [{marker}] has an impossible access date "
                f"{date_match.group('day')}.{date_match.group('month')}.{date_match.group('year')}",
                line=date_line,
            ) from None
        spans.append(date_match.span())
    elif _LABEL_RE.search(text):
        warnings.append(f"reference [{marker}] (line {line}) has an access-date label but no dd.mm.yyyy date")

    url = ""
    if date_match:
        url_match = _URL_RE.search(text, 0, date_match.start()) or _URL_RE.search(text, date_match.end())
    else:
        url_match = _URL_RE.search(text)
    if url_match:
        raw = _clean_url(url_match.group(0))
        if raw:
            start = url_match.start()
            spans.append((start, start + len(raw)))
            url = raw if raw[:4].lower() == "http" else f"https://{raw}"

    cleaned = _splice(text, spans) if spans else text.strip(_SEPARATORS)
    if not cleaned and not url:
        warnings.append(f"reference [{marker}] (line {line}) is empty")
    return ParsedReference(marker=marker, text=cleaned, url=url, accessed_on=accessed_on, line=line)
