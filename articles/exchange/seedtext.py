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

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .seedtext_rules import (
    ACCESS_DATE_LABELS,
    FOOTNOTE_MARKER_RE,
    MAX_FILE_BYTES,
    MAX_LINE_LENGTH,
    NO_BODY_MESSAGE,
    NO_TITLE_MESSAGE,
    TITLE_MAX_LENGTH,
    ParsedArticle,
    ParsedAuthor,
    ParsedReference,
    SeedTextError,
    body_markers,
    fold,
    is_chrome,
    is_marked_line,
    looks_like_category,
    looks_like_name,
    looks_like_title,
    parse_reference,
    reference_marker,
)

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
            blocks.append(_Block(number, stripped, is_chrome(stripped)))
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
        return i < n and looks_like_title(blocks[i].text, followed_by_chrome=i + 1 < n and blocks[i + 1].chrome)

    def author_at(i: int) -> bool:
        j = next_content(i + 1)
        return j < n and blocks[j].text == blocks[i].text and looks_like_name(blocks[i].text)

    i = next_content(0)
    if i == n:
        raise SeedTextError("the file is empty" if not blocks else "the file has only page chrome, no article text")

    # Category
    category = ""
    known = {}
    for name in known_categories:
        if name and name.strip():
            known.setdefault(fold(name), " ".join(name.split()))
    first = blocks[i].text
    after_first = next_content(i + 1)
    if known and len(first) <= TITLE_MAX_LENGTH and fold(first) in known:
        category, i = known[fold(first)], after_first
    elif looks_like_category(first) and title_at(after_first):
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
            and reference_marker(blocks[body_start].text) is None
            and not author_at(body_start)
            and not any(is_marked_line(b.text) or author_at(j) for j, b in enumerate(blocks[i:k], i))
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
        if reference_marker(block.text) is not None or author_at(i):
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
        marker = reference_marker(block.text)
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
        references.append(parse_reference(marker, parts, warnings))

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
