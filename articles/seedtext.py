"""Reading the think-tank's plain-text page exports, so existing articles can be imported instead of retyped.

The old site's pages were saved as plain text: a title, page chrome ("Paylaş", "Similar Posts", "This post is also
available in: …"), body paragraphs with ``[1]``/``[iv]`` footnote markers, a reference list, and an author block that
repeats the name line. Translations were saved in the same shape with Turkish or Russian chrome. None of this is
marked up, so the structure has to be recovered from the order of lines and a few conservative heuristics; when the
structure is ambiguous (no title line) the parser stops with one clear sentence instead of guessing.

The module deliberately has no Django import: the import command, the admin upload view and the tests all use it,
and it must stay usable before settings exist. Uploaded files are untrusted, so every step is linear in the input
size and sizes are bounded (``MAX_FILE_BYTES``, ``MAX_LINE_LENGTH``).
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ACCESS_DATE_LABELS",
    "FOOTNOTE_MARKER_RE",
    "MAX_FILE_BYTES",
    "MAX_LINE_LENGTH",
    "ParsedArticle",
    "ParsedAuthor",
    "ParsedReference",
    "SeedTextError",
    "body_markers",
    "decode_export",
    "parse_article_text",
]

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


def _reference_marker(line: str) -> str | None:
    """The marker when ``line`` starts a reference ("[3] …", "[iv]\u00a0…"); a reference always opens its line."""
    match = FOOTNOTE_MARKER_RE.match(line)
    return match.group("marker") if match else None


# --- Case folding and chrome ----------------------------------------------------------------------------------
_I_VARIANTS = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def _fold(value: str) -> str:
    """A matching key where "ANALİZ", "Analiz", "ANALIZ" and "analiz" agree, whatever language the line is in.

    Turkish lower-cases I to ı and English to i; a key that merges all four i's works for both.
    """
    value = unicodedata.normalize("NFC", value).translate(_I_VARIANTS)
    return " ".join(value.casefold().split())


_CHROME_LINES = {_fold(s) for s in ("Paylaş", "Share", "Поделиться", "Similar Posts", "Benzer Yazılar", "Похожие записи")}
_CHROME_PREFIXES = tuple(
    _fold(s) for s in ("This post is also available in", "Bu yazı şu dillerde de mevcut", "Эта запись также доступна на")
)
_CHROME_MAX_LENGTH = 300  # chrome lines are short; long lines are never folded just to be compared


def _is_chrome(line: str) -> bool:
    if len(line) > _CHROME_MAX_LENGTH:
        return False
    key = _fold(line)
    return key.rstrip(":").rstrip() in _CHROME_LINES or key.startswith(_CHROME_PREFIXES)


# --- Title, category and author heuristics --------------------------------------------------------------------
_TITLE_MAX_LENGTH = 250
_CLOSING_QUOTES = "\"'”’»›"
_SENTENCE_END = ".!?…"


def _is_marked_line(line: str) -> bool:
    return _reference_marker(line) is not None or FOOTNOTE_MARKER_RE.search(line) is not None


def _looks_like_title(line: str, *, followed_by_chrome: bool = False) -> bool:
    """Titles are short, cite nothing and are not sentences.

    A question or exclamation directly followed by page chrome is still a title: the site puts chrome right under
    the title, and refusing "What Next for Korea?" would only send the editor to --title for no reason.
    """
    if len(line) > _TITLE_MAX_LENGTH or _is_marked_line(line):
        return False
    core = line.rstrip(_CLOSING_QUOTES + " ")
    if not core or core[-1] not in _SENTENCE_END:
        return True
    return followed_by_chrome and core[-1] in "?!"


def _looks_like_category(line: str) -> bool:
    return (
        len(line) <= 40
        and len(line.split()) <= 3
        and not any(ch in line for ch in ".!?…:;")
        and not _is_marked_line(line)
    )


def _looks_like_name(line: str) -> bool:
    # Guards against a paragraph pasted twice being read as an author.
    return len(line) <= 150 and not _is_marked_line(line)


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


def _parse_reference(marker: str, parts: list[tuple[int, str]], warnings: list[str]) -> ParsedReference:
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


# --- Decoding -------------------------------------------------------------------------------------------------
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13)) + b"\x7f"
_MAX_CONTROL_SHARE = 0.10


def decode_export(data: bytes) -> str:
    """Bytes of an uploaded/exported file -> text. Raises SeedTextError for: empty (or whitespace-only) file,
    larger than MAX_FILE_BYTES, binary data (NUL bytes or a high share of control characters), not valid UTF-8
    (message names the byte offset / line). Strips a UTF-8 BOM, normalises CRLF/CR to LF and Unicode to NFC."""
    data = bytes(data)
    size = len(data)
    if size > MAX_FILE_BYTES:
        raise SeedTextError(f"the file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes)")
    if not data.strip():
        raise SeedTextError("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SeedTextError("the file is UTF-16 encoded; save it as UTF-8 and try again")
    nul = data.find(b"\x00")
    if nul != -1:
        raise SeedTextError(f"the file looks like binary data, not a text export (NUL byte at byte offset {nul})")
    controls = size - len(data.translate(None, _CONTROL_BYTES))
    if controls > size * _MAX_CONTROL_SHARE:
        raise SeedTextError(
            f"the file looks like binary data, not a text export ({controls:,} of {size:,} bytes are control characters)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data.count(b"\n", 0, offset) + 1
        raise SeedTextError(
            f"the file is not valid UTF-8: byte 0x{data[offset]:02X} at byte offset {offset} cannot be decoded "
            "(was it saved as Windows-1254 or Latin-1?); save it as UTF-8 and try again",
            line=line,
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise SeedTextError("the file is empty")
    return text


# --- Parsing --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Block:
    line: int
    text: str
    chrome: bool


def _blocks(text: str) -> list[_Block]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removeprefix("\ufeff")
    blocks = []
    for number, raw in enumerate(text.split("\n"), 1):
        if len(raw) > MAX_LINE_LENGTH:  # checked before any regex sees the line
            raise SeedTextError(
                f"the line is too long ({len(raw):,} characters; the limit is {MAX_LINE_LENGTH:,})", line=number
            )
        stripped = raw.strip()
        if stripped:
            blocks.append(_Block(number, stripped, _is_chrome(stripped)))
    return blocks


def parse_article_text(
    text: str, *, title: str | None = None, known_categories: Iterable[str] = ()
) -> ParsedArticle:
    """Recover an article's parts from an export, refusing files whose structure cannot be trusted.

    ``title`` rescues exports that lost their title line; a file that has its own title keeps it, so one
    ``--title`` can be given to a batch of files without renaming the others;
    ``known_categories`` lets a category line that does not look like one ("Güvenlik Analizleri ve Raporlar") be
    recognised, and returns it spelled as the caller knows it.
    """
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise SeedTextError("the title given with --title is empty")

    blocks = _blocks(text)
    n = len(blocks)

    def next_content(i: int) -> int:
        while i < n and blocks[i].chrome:
            i += 1
        return i

    def title_at(i: int) -> bool:
        return i < n and _looks_like_title(blocks[i].text, followed_by_chrome=i + 1 < n and blocks[i + 1].chrome)

    def author_at(i: int) -> bool:
        j = next_content(i + 1)
        return j < n and blocks[j].text == blocks[i].text and _looks_like_name(blocks[i].text)

    i = next_content(0)
    if i == n:
        raise SeedTextError("the file is empty" if not blocks else "the file has only page chrome, no article text")

    # Category
    category = ""
    known = {}
    for name in known_categories:
        if name and name.strip():
            known.setdefault(_fold(name), " ".join(name.split()))
    first = blocks[i].text
    after_first = next_content(i + 1)
    if known and len(first) <= _TITLE_MAX_LENGTH and _fold(first) in known:
        category, i = known[_fold(first)], after_first
    elif _looks_like_category(first) and title_at(after_first):
        category, i = first, after_first

    # Title
    file_has_title = title_at(i)
    if file_has_title:
        final_title = blocks[i].text
        i += 1
    elif i == n:
        raise SeedTextError(NO_BODY_MESSAGE)
    elif title is None:
        raise SeedTextError(NO_TITLE_MESSAGE, line=blocks[i].line)
    else:
        final_title = title

    # Highlights: the lines between the title and the chrome under it. Only accepted when they cannot be body text
    # (no footnotes, no references before the chrome, and body text after it), so a stray "Share" line in the
    # middle of an article does not turn its first half into highlights.
    highlights: list[str] = []
    if file_has_title:
        k = i
        while k < n and not blocks[k].chrome:
            k += 1
        body_start = next_content(k)
        if (
            i < k < n
            and body_start < n
            and _reference_marker(blocks[body_start].text) is None
            and not author_at(body_start)
            and not any(_is_marked_line(b.text) or author_at(j) for j, b in enumerate(blocks[i:k], i))
        ):
            highlights = [b.text for b in blocks[i:k]]
            i = k

    # Body
    paragraphs: list[str] = []
    paragraph_lines: list[int] = []
    while i < n:
        block = blocks[i]
        if block.chrome:
            i += 1
            continue
        if _reference_marker(block.text) is not None or author_at(i):
            break
        paragraphs.append(block.text)
        paragraph_lines.append(block.line)
        i += 1
    if not paragraphs:
        raise SeedTextError(NO_BODY_MESSAGE)

    # References and authors, in whatever order they come
    raw_refs: list[tuple[str, list[tuple[int, str]]]] = []
    raw_authors: list[tuple[str, int, list[str]]] = []
    in_reference = False
    while i < n:
        block = blocks[i]
        if block.chrome:
            i += 1
            continue
        if author_at(i):
            raw_authors.append((block.text, block.line, []))
            in_reference = False
            i = next_content(i + 1) + 1
            continue
        marker = _reference_marker(block.text)
        if marker is not None:
            rest = block.text[len(marker) + 2:]
            raw_refs.append((marker, [(block.line, rest)]))
            in_reference = True
        elif in_reference:
            raw_refs[-1][1].append((block.line, block.text))
        else:
            raw_authors[-1][2].append(block.text)
        i += 1

    warnings: list[str] = []
    references: list[ParsedReference] = []
    first_line: dict[str, int] = {}
    for marker, parts in raw_refs:
        line = parts[0][0]
        if marker in first_line:
            raise SeedTextError(
                f"reference [{marker}] appears twice (first on line {first_line[marker]})", line=line
            )
        first_line[marker] = line
        references.append(_parse_reference(marker, parts, warnings))

    authors = [ParsedAuthor(name=name, bio="\n\n".join(bio), line=line) for name, line, bio in raw_authors]

    cited: dict[str, int] = {}
    for paragraph, line in zip(paragraphs, paragraph_lines):
        for match in FOOTNOTE_MARKER_RE.finditer(paragraph):
            cited.setdefault(match.group("marker"), line)
    for marker, line in cited.items():
        if marker not in first_line:
            warnings.append(f"marker [{marker}] in the body has no reference (line {line})")
    for reference in references:
        if reference.marker not in cited:
            warnings.append(f"reference [{reference.marker}] (line {reference.line}) is not cited in the body")

    return ParsedArticle(
        category=category,
        title=final_title,
        highlights=highlights,
        paragraphs=paragraphs,
        references=references,
        authors=authors,
        warnings=warnings,
    )
