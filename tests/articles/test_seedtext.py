"""The seed-export parser, checked against the think-tank's real exports and small files in the same format.

No Django here on purpose: the parser must work before settings exist, and these tests prove it does.
"""
from __future__ import annotations

import datetime
import pickle
import unicodedata
from pathlib import Path

import pytest

from articles.exchange import seedtext, seedtext_rules
from articles.exchange.seedtext import (
    ACCESS_DATE_LABELS,
    FOOTNOTE_MARKER_RE,
    MAX_FILE_BYTES,
    ParsedArticle,
    SeedTextError,
    body_markers,
    decode_export,
    parse_article_text,
)
from tests.work import regex_inputs

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"

CHROME = {
    "Paylaş", "Share", "Поделиться", "Similar Posts", "Benzer Yazılar", "Похожие записи",
}
CHROME_PREFIXES = ("This post is also available in:", "Bu yazı şu dillerde de mevcut:", "Эта запись также доступна на:")


def seed_text(number: str) -> str:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the seed exports are not available at {SEEDS_DIR}")
    matches = sorted(SEEDS_DIR.glob(f"{number}_*.txt"))
    if not matches:
        pytest.skip(f"seed {number} is missing from {SEEDS_DIR}")
    return decode_export(matches[0].read_bytes())


def parse_seed(number: str, **kwargs) -> ParsedArticle:
    return parse_article_text(seed_text(number), **kwargs)


def write_and_parse(tmp_path: Path, content: str, **kwargs) -> ParsedArticle:
    path = tmp_path / "export.txt"
    path.write_text(content, encoding="utf-8")
    return parse_article_text(decode_export(path.read_bytes()), **kwargs)


# --- The real seeds -------------------------------------------------------------------------------------------


def test_seed_003_category_title_highlights_and_references():
    article = parse_seed("003")

    assert article.category == "Analysis"
    assert article.title == "Russia-North Korea Rapprochement in the Context of the Ukraine Crisis"
    assert article.highlights == [
        "Parties seek to gain strategic advantage through cooperation while protecting their interests around a "
        "common enemy strategy.",
        "The rapprochement of these two countries has the effect of changing the security dynamics in the "
        "Asia-Pacific region.",
        "The West's attitude towards Russia-North Korea cooperation is critical to China's role in the global power "
        "struggle.",
    ]
    assert len(article.paragraphs) == 8
    assert article.paragraphs[0].startswith("On the 17th March 2025, the top diplomats of North Korea")
    assert article.paragraphs[0].endswith("in the event of an attack on either side.[1]")
    assert article.paragraphs[-1].startswith("To conclude, Russia and North Korea’s establishment")

    assert [r.marker for r in article.references] == ["1", "2"]
    first, second = article.references
    assert first.text == (
        "“Senior diplomats of N. Korea, Russia discuss arranging high-level meeting: report”, Yonhap News Agency"
    )
    assert first.url == "https://en.yna.co.kr/view/AEN20250317009800320?section=nk/nk"
    assert second.text == "“Top diplomats of S. Korea, Ukraine discuss repatriation of N.K. POWs”, Yonhap News Agency"
    assert second.url == "https://en.yna.co.kr/view/AEN20250317009651320?section=nk/nk"
    assert first.accessed_on == second.accessed_on == datetime.date(2025, 3, 18)
    assert (first.line, second.line) == (30, 32)
    assert article.warnings == []


def test_seed_000_title_and_references_without_urls():
    article = parse_seed("000")

    assert article.category == ""
    assert article.title == "North Korea-South Korea Struggle in the Framework of Global Competition"
    assert article.highlights == []
    assert len(article.paragraphs) == 8
    assert article.paragraphs[0].startswith("The United States of America (USA) is struggling")
    assert [r.marker for r in article.references] == [str(n) for n in range(1, 10)]
    assert all(r.url == "" for r in article.references)
    assert [r.accessed_on for r in article.references] == [
        datetime.date(2023, 9, d) for d in (14, 13, 14, 12, 13, 14, 13, 13, 13)
    ]
    assert article.references[0].text == (
        "“Putin and North Korea’s Kim Discuss Military Matters, Ukraine War and Satellites”, Reuters"
    )
    # A full stop inside the text survives; only the separators around the removed date go.
    assert article.references[4].text == (
        "“US Will Impose Sanctions on Russia, North Korea for Any New Arms Deals, State Dept. Says”, Reuters"
    )
    assert article.references[0].line == 23
    assert article.authors == []
    assert article.warnings == []


def test_seed_000_marker_after_a_space_is_kept_verbatim():
    article = parse_seed("000")
    assert article.paragraphs[0].endswith("to discuss military and technological issues. [1]")
    assert "Putin,[2] can be seen" in article.paragraphs[2]
    assert body_markers(article.paragraphs) == [str(n) for n in range(1, 10)]


def test_seed_001_urls_without_scheme_are_normalised():
    article = parse_seed("001")

    assert article.title == "Seoul-Pyongyang Tension and North Korea-Russia Rapprochement"
    assert len(article.paragraphs) == 10
    urls = {r.marker: r.url for r in article.references}
    assert urls == {
        "1": "https://www.usatoday.com/story/news/politics/2023/09/14/"
        "russia-north-korea-satellite-nuclear-weapons/70845185007/",
        "2": "https://www.bbc.com/news/world-asia-66783384",
        "3": "https://t.ly/94Mb6",
        "4": "https://www.republicworld.com/world-news/global-event-news/"
        "quad-ministers-urge-un-members-not-to-trade-arms-with-north-korea-on-unga-sidelines-articleshow.html",
        "5": "https://news.yahoo.com/quad-fms-voice-opposition-arms-172709524.html",
        "6": "https://www.globaltimes.cn/page/202309/1298757.shtml",
    }
    assert article.references[1].text == (
        "Tessa Wong, “Vladimir Putin Says Military Cooperation with Kim Jong Un a Possibility”, BBC"
    )
    assert article.references[4].text == (
        "“‘Quad’ FMs voice opposition to arms deal between Russia, North Korea”, Yahoo News"
    )
    assert all(r.accessed_on == datetime.date(2023, 9, 24) for r in article.references)
    assert "recently comes to mind. [1] Therefore" in article.paragraphs[3]


def test_seed_002_reference_url_on_the_following_line_is_joined():
    article = parse_seed("002")

    assert article.title == "The Latest Turn in North Korea-Russia Relations"
    assert len(article.paragraphs) == 6
    assert [r.marker for r in article.references] == ["i", "ii", "iii", "iv", "v"]
    first = article.references[0]
    assert first.text == (
        "Scott A. Snyder, “The Perils of a Renewed North Korea-Russia Relationship”, Council on Foreign Relations"
    )
    assert first.url == "https://www.cfr.org/in-brief/perils-renewed-north-korea-russia-relationship"
    assert first.accessed_on == datetime.date(2024, 1, 7)
    assert first.line == 20
    assert article.references[3].url == "https://en.yna.co.kr/view/AEN20231215001351315?section=search"
    assert body_markers(article.paragraphs) == ["i", "ii", "iii", "iv", "v"]
    assert article.warnings == []


def test_seed_004_without_title_asks_for_one():
    with pytest.raises(SeedTextError) as excinfo:
        parse_seed("004")
    assert excinfo.value.line == 1
    assert "--title" in str(excinfo.value)
    assert str(excinfo.value).startswith("line 1: the file has no title line")


def test_seed_004_with_title_parses_mixed_marker_series():
    article = parse_seed("004", title="North Korean Troops in Russia and South Korea's Security")

    assert article.title == "North Korean Troops in Russia and South Korea's Security"
    assert article.category == ""
    assert article.highlights == []
    assert len(article.paragraphs) == 13
    assert article.paragraphs[0].startswith("On Tuesday, October 29, 2024, South Korean Vice Minister")
    assert [r.marker for r in article.references] == ["1", "2", "i", "ii", "iii"]
    assert [r.text for r in article.references[3:]] == ["Ibid.", "Ibid."]
    assert [r.url for r in article.references[3:]] == ["", ""]
    assert article.references[2].url == (
        "https://en.yna.co.kr/view/AEN20241029007300315?section=national/politics"
    )
    assert article.references[0].accessed_on == datetime.date(2024, 10, 29)
    assert body_markers(article.paragraphs) == ["i", "ii", "iii", "1", "2"]
    assert article.authors == []
    assert article.warnings == []


@pytest.mark.parametrize(
    ("number", "name", "bio_start"),
    [
        ("001", "Elcan TOKMAK", "Elcan TOKMAK, 2022 yılında Gazi Üniversitesi"),
        ("002", "Hatice ÇİFTÇİOĞLU", "Hatice Çiftçioğlu, 2020 yılında Hacettepe Üniversitesi"),
        ("003", "Berra KIZILYAZI", "Kapadokya Üniversitesi İngilizce Mütercim"),
    ],
)
def test_seed_authors(number, name, bio_start):
    article = parse_seed(number)
    assert [a.name for a in article.authors] == [name]
    assert article.authors[0].bio.startswith(bio_start)
    assert "Similar Posts" not in article.authors[0].bio


@pytest.mark.parametrize("number", ["000", "004"])
def test_seeds_without_author_block_have_no_authors(number):
    article = parse_seed(number, title="Given title")
    assert article.authors == []


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_chrome_never_reaches_the_article(number):
    article = parse_seed(number, title="Given title" if number == "004" else None)
    texts = [article.title, *article.highlights, *article.paragraphs]
    texts += [r.text for r in article.references] + [a.bio for a in article.authors]
    for text in texts:
        assert text not in CHROME
        assert not text.startswith(CHROME_PREFIXES)
        assert "Similar Posts" not in text and "Paylaş" not in text


# --- Structure rules on small files ---------------------------------------------------------------------------


def test_warnings_for_unmatched_marker_and_uncited_reference(tmp_path):
    article = write_and_parse(
        tmp_path,
        "A Title\n\nFirst paragraph cites one.[1]\n\nSecond cites a missing note.[3]\n\n"
        "[1] Cited source.\n[7] Never cited.\n",
    )
    assert article.warnings == [
        "marker [3] in the body has no reference (line 5)",
        "reference [7] (line 8) is not cited in the body",
    ]
    assert [r.marker for r in article.references] == ["1", "7"]


def test_invalid_access_date_names_the_line(tmp_path):
    with pytest.raises(SeedTextError) as excinfo:
        write_and_parse(tmp_path, "A Title\n\nBody.[1]\n\n[1] Source, (Date of Access: 31.02.2024).\n")
    assert excinfo.value.line == 5
    assert "31.02.2024" in str(excinfo.value) and "[1]" in str(excinfo.value)


def test_invalid_access_date_on_a_continuation_line_names_that_line(tmp_path):
    text = "A Title\n\nBody.[i]\n\n[i] Source,\n\nhttps://example.org/a, (Erişim Tarihi: 30.13.2024)\n"
    with pytest.raises(SeedTextError) as excinfo:
        write_and_parse(tmp_path, text)
    assert excinfo.value.line == 7


def test_duplicate_reference_markers_are_refused(tmp_path):
    with pytest.raises(SeedTextError) as excinfo:
        write_and_parse(tmp_path, "A Title\n\nBody.[2]\n\n[2] One.\n\n[2] Two.\n")
    assert excinfo.value.line == 7
    assert "[2]" in str(excinfo.value) and "line 5" in str(excinfo.value)


def test_category_and_title_without_body_is_refused(tmp_path):
    with pytest.raises(SeedTextError, match="the file has no body text"):
        write_and_parse(tmp_path, "Analysis\n\nA Title Without Any Body\n\nSimilar Posts\n")


def test_given_title_is_only_for_files_without_one(tmp_path):
    """One --title for a batch must not rename every file of it (they would all become one article)."""
    article = write_and_parse(tmp_path, "Old Title\n\nShare\n\nThe body.\n", title="New Title")
    assert article.title == "Old Title"
    assert article.paragraphs == ["The body."]


def test_no_highlights_without_chrome_after_the_title(tmp_path):
    article = write_and_parse(tmp_path, "A Title\n\nFirst short line.\nSecond paragraph.\n")
    assert article.highlights == []
    assert article.paragraphs == ["First short line.", "Second paragraph."]


def test_stray_share_line_inside_body_does_not_make_highlights(tmp_path):
    article = write_and_parse(tmp_path, "A Title\n\nFirst paragraph.[1]\n\nShare\n\nSecond.\n\n[1] Source.\n")
    assert article.highlights == []
    assert article.paragraphs == ["First paragraph.[1]", "Second."]


def test_question_title_directly_above_chrome_is_a_title(tmp_path):
    article = write_and_parse(tmp_path, "What Next for Korea?\n\nPaylaş\n\nThe body.\n")
    assert article.title == "What Next for Korea?"


def test_several_author_blocks(tmp_path):
    article = write_and_parse(
        tmp_path,
        "A Title\n\nBody.[1]\n\n[1] Source.\n\nAyşe YILMAZ\nAyşe YILMAZ\nAyşe Yılmaz bio.\n\n"
        "Ivan PETROV\n\nIvan PETROV\n\nSimilar Posts\n",
    )
    assert [(a.name, a.bio) for a in article.authors] == [("Ayşe YILMAZ", "Ayşe Yılmaz bio."), ("Ivan PETROV", "")]
    assert article.authors[0].line == 7


def test_reference_url_in_parentheses_and_no_date(tmp_path):
    article = write_and_parse(tmp_path, "A Title\n\nBody.[1]\n\n[1] Report, Agency (https://example.org/a_(b)).\n")
    reference = article.references[0]
    assert reference.url == "https://example.org/a_(b)"
    assert reference.text == "Report, Agency"
    assert reference.accessed_on is None


# --- Translated exports ---------------------------------------------------------------------------------------

RUSSIAN_EXPORT = """Аналитика

Сближение России и Северной Кореи

Поделиться

Эта запись также доступна на: English Türkçe

Первый абзац текста.[1]

Второй абзац.[i] Третья мысль.[ii]

[1] «Отчёт», ТАСС, tass.ru/politika/123, (Дата обращения: 18.03.2025).

[i] «Статья», РИА, https://ria.ru/x, (ДАТА ОБРАЩЕНИЯ: 01.02.2024)

[ii] Там же.

Иван ПЕТРОВ
Иван ПЕТРОВ
Иван Петров окончил МГИМО.

Похожие записи
"""


def test_russian_export(tmp_path):
    article = write_and_parse(tmp_path, RUSSIAN_EXPORT)
    assert article.category == "Аналитика"
    assert article.title == "Сближение России и Северной Кореи"
    assert article.highlights == []
    assert article.paragraphs == ["Первый абзац текста.[1]", "Второй абзац.[i] Третья мысль.[ii]"]
    first, second, third = article.references
    assert (first.text, first.url, first.accessed_on) == (
        "«Отчёт», ТАСС", "https://tass.ru/politika/123", datetime.date(2025, 3, 18)
    )
    assert (second.text, second.url, second.accessed_on) == ("«Статья», РИА", "https://ria.ru/x", datetime.date(2024, 2, 1))
    assert (third.text, third.url, third.accessed_on) == ("Там же.", "", None)
    assert [(a.name, a.bio) for a in article.authors] == [("Иван ПЕТРОВ", "Иван Петров окончил МГИМО.")]
    assert article.warnings == []


TURKISH_EXPORT = """analiz

Rusya-Kuzey Kore Yakınlaşması

Taraflar ortak düşmana karşı çıkarlarını koruyor.

PAYLAŞ

Bu yazı şu dillerde de mevcut: English Русский

İlk paragraf.[1]

İkinci paragraf.[2]

[1] “Rapor”, Anadolu Ajansı,www.aa.com.tr/tr/dunya/x, (ERİŞİM TARİHİ: 14.09.2023).

[2] a.g.e.

Benzer Yazılar
"""


def test_turkish_export_with_known_category(tmp_path):
    article = write_and_parse(tmp_path, TURKISH_EXPORT, known_categories=["ANALİZ", "Rapor"])
    assert article.category == "ANALİZ"  # spelled as the caller knows it
    assert article.title == "Rusya-Kuzey Kore Yakınlaşması"
    assert article.highlights == ["Taraflar ortak düşmana karşı çıkarlarını koruyor."]
    assert article.paragraphs == ["İlk paragraf.[1]", "İkinci paragraf.[2]"]
    first, second = article.references
    assert (first.text, first.url, first.accessed_on) == (
        "“Rapor”, Anadolu Ajansı", "https://www.aa.com.tr/tr/dunya/x", datetime.date(2023, 9, 14)
    )
    assert (second.text, second.url, second.accessed_on) == ("a.g.e.", "", None)
    assert article.authors == []


def test_known_category_matching_is_turkish_aware(tmp_path):
    # A long category line is not a category by the shape heuristic; only the known list can match it.
    text = "GÜVENLİK ANALİZLERİ VE RAPORLARI\n\nBaşlık\n\nGövde metni.\n"
    article = write_and_parse(tmp_path, text, known_categories=["Güvenlik Analizleri ve Raporları"])
    assert article.category == "Güvenlik Analizleri ve Raporları"
    assert article.title == "Başlık"
    assert write_and_parse(tmp_path, "ANALIZ\n\nBaşlık\n\nGövde.\n", known_categories=["analiz"]).category == "analiz"


def test_access_date_labels_cover_the_three_languages():
    assert ACCESS_DATE_LABELS == {"tr": "Erişim Tarihi", "en": "Date of Access", "ru": "Дата обращения"}


# --- Markers --------------------------------------------------------------------------------------------------


def test_footnote_marker_regex():
    found = [m.group("marker") for m in FOOTNOTE_MARKER_RE.finditer("a[12] b[iv] c[xiv] d[did] e[IV] f[sic] g[]")]
    assert found == ["12", "iv", "xiv"]


def test_body_markers_in_first_appearance_order_without_duplicates():
    assert body_markers(["x[2] y[1]", "z[2] [i] [1]"]) == ["2", "1", "i"]


# --- Decoding uploads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf\n\n"])
def test_decode_export_refuses_empty_files(data):
    with pytest.raises(SeedTextError, match="empty"):
        decode_export(data)


def test_decode_export_refuses_binary_data():
    blob = bytes(range(256)) * 8
    with pytest.raises(SeedTextError, match="binary"):
        decode_export(blob)
    with pytest.raises(SeedTextError, match="binary"):
        decode_export(b"\x01\x02\x03\x04\x05abc\x06\x07\x08")


def test_decode_export_names_the_position_of_latin1_bytes(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\nBody\nCafé crème\n".encode("latin-1"))
    with pytest.raises(SeedTextError) as excinfo:
        decode_export(path.read_bytes())
    assert excinfo.value.line == 3
    message = str(excinfo.value)
    assert "UTF-8" in message and "byte offset 14" in message and "0xE9" in message
    assert "\n" not in message


def test_decode_export_strips_bom_and_normalises_newlines_and_unicode():
    decomposed = unicodedata.normalize("NFD", "Çiftçioğlu")
    data = b"\xef\xbb\xbf" + f"Title\r\n\r\n{decomposed}\rnext\r\n".encode()
    text = decode_export(data)
    assert text == "Title\n\nÇiftçioğlu\nnext\n"
    assert unicodedata.is_normalized("NFC", text)


def test_decode_export_refuses_utf16():
    with pytest.raises(SeedTextError, match="UTF-16"):
        decode_export("Title\nBody\n".encode("utf-16"))


def test_decode_export_refuses_oversized_files():
    with pytest.raises(SeedTextError, match="too large"):
        decode_export(b"a" * (MAX_FILE_BYTES + 1))


def test_ten_megabyte_line_is_rejected_before_any_rule_reads_it():
    line = "x" * (10 * 1024 * 1024)
    with regex_inputs(seedtext, seedtext_rules) as regex_runs:
        with pytest.raises(SeedTextError) as excinfo:
            parse_article_text(line)
        with pytest.raises(SeedTextError, match="too large"):
            decode_export(line.encode())
    assert regex_runs == [], "the length is checked before any regex sees the line"
    assert excinfo.value.line == 1
    assert "too long" in str(excinfo.value)


def test_long_hostile_reference_lines_are_read_one_line_at_a_time():
    """Each regex runs on one line at most, a bounded number of times per line: the work grows with the text.
    (Their speed on these lines, which a backtracking pattern would blow up, is measured by ``manage.py bench``.)"""
    hostile = ["a." * 49_000, "(" * 98_000, "[i" * 49_000, "www." * 24_000, ", " * 49_000, "-a." * 32_000]
    text = "A Title\n\nBody.[1]\n\n" + "".join(f"[{n}] {h}\n" for n, h in enumerate(hostile, 1))
    with regex_inputs(seedtext, seedtext_rules) as regex_runs:
        article = parse_article_text(text)
    assert len(article.references) == len(hostile)
    longest_line = max(len(line) for line in text.splitlines())
    assert max(regex_runs) <= longest_line
    assert len(regex_runs) <= 5 * len(text.splitlines()), len(regex_runs)


# --- The error type -------------------------------------------------------------------------------------------


def test_seed_text_error_is_one_line_and_keeps_its_line():
    error = SeedTextError("something\nwent wrong", line=4)
    assert str(error) == "line 4: something went wrong"
    assert (error.message, error.line) == ("something went wrong", 4)
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.line) == ("line 4: something went wrong", 4)
    assert str(SeedTextError("no line")) == "no line"
