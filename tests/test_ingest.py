"""The ingest stage on real files written to tmp_path (no mocks)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.errors import (
    BinaryInputError,
    DecodeError,
    EmptyDocumentError,
    FeedError,
    InvalidDateError,
    MalformedRecordError,
    MissingInputError,
    UnsupportedInputError,
    UnsupportedLanguageError,
)
from veilleur.ingest import (
    IngestProblem,
    content_hash,
    count_inputs,
    detect_language,
    document_from_record,
    identity_text,
    normalise_text,
    read_paths,
    text_id,
)
from veilleur.ingest.langid import detect_by_stopwords
from veilleur.model import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
)


def split(items: list[Document | IngestProblem]) -> tuple[list[Document], list[IngestProblem]]:
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, IngestProblem)]
    assert len(docs) + len(problems) == len(items)
    return docs, problems


def read(*paths: str | Path, **kwargs: object) -> tuple[list[Document], list[IngestProblem]]:
    return split(list(read_paths(list(paths), **kwargs)))  # type: ignore[arg-type]


def one_doc(*paths: str | Path, **kwargs: object) -> Document:
    docs, problems = read(*paths, **kwargs)
    assert not problems, [str(p) for p in problems]
    assert len(docs) == 1
    return docs[0]


def one_problem(*paths: str | Path, **kwargs: object) -> IngestProblem:
    docs, problems = read(*paths, **kwargs)
    assert not docs
    assert len(problems) == 1
    return problems[0]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder of good inputs plus three bad ones (binary, empty, one broken JSON line) and hidden files."""
    root = tmp_path / "corpus"
    (root / "sahel").mkdir(parents=True)
    (root / ".git").mkdir()
    shutil.copy(FIXTURES / "depeche_fr.txt", root / "sahel" / "depeche_fr.txt")
    shutil.copy(FIXTURES / "brief_en.txt", root / "brief_en.txt")
    shutil.copy(FIXTURES / "article_fr.html", root / "sahel" / "article_fr.html")
    shutil.copy(FIXTURES / "docs.jsonl", root / "docs.jsonl")
    (root / "scan.txt").write_bytes(PNG_BYTES)
    (root / "vide.txt").write_bytes(b"")
    good = {
        "id": "lot-1",
        "text": "Un camion piégé a explosé mardi à Kidal, selon des témoins.",
        "published": "2023-02-07",
    }
    good2 = {"id": "lot-3", "text": "Troops arrested 12 suspects in Gao on Friday, the army said."}
    (root / "sahel" / "lot.jsonl").write_text(
        json.dumps(good)
        + "\n"
        + '{"id": "lot-2", "text": "Tirs à Kati" "published": null}\n'
        + json.dumps(good2)
        + "\n",
        encoding="utf-8",
    )
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


# --- a folder of mixed inputs ----------------------------------------------------------------------------


def test_folder_yields_good_documents_and_one_problem_per_bad_input(corpus: Path) -> None:
    docs, problems = read(corpus)
    assert len(docs) == 8  # 2 text + 1 html + 3 docs.jsonl + 2 lot.jsonl
    assert sorted(p.where for p in problems) == sorted(
        [str(corpus / "scan.txt"), str(corpus / "vide.txt"), str(corpus / "sahel" / "lot.jsonl") + ":2"]
    )
    by_where = {p.where: p for p in problems}
    assert isinstance(by_where[str(corpus / "scan.txt")].error, BinaryInputError)
    assert isinstance(by_where[str(corpus / "vide.txt")].error, EmptyDocumentError)
    broken = by_where[str(corpus / "sahel" / "lot.jsonl") + ":2"]
    assert isinstance(broken.error, MalformedRecordError)
    assert (
        str(broken)
        == f"{corpus}/sahel/lot.jsonl:2: malformed JSON (Expecting ',' delimiter at column 39) [V104]"
    )
    assert {d.id for d in docs} >= {"lot-1", "lot-3", "cs-2023-001", "lcm-2023-002"}
    assert all(d.origin and d.content_hash and d.language in ("fr", "en") for d in docs)
    assert not any(".git" in (d.origin or "") or ".DS_Store" in (d.origin or "") for d in docs)


def test_order_and_ids_are_stable_across_reads(corpus: Path) -> None:
    first = [
        (i.origin, i.id, i.content_hash) if isinstance(i, Document) else str(i) for i in read_paths([corpus])
    ]
    second = [
        (i.origin, i.id, i.content_hash) if isinstance(i, Document) else str(i) for i in read_paths([corpus])
    ]
    assert first == second
    origins = [o[0] for o in first if isinstance(o, tuple)]
    assert origins[0] == str(corpus / "brief_en.txt")  # sorted by name at each level
    assert origins[-1] == str(corpus / "sahel" / "lot.jsonl:3")


def test_count_inputs_estimates_the_number_of_items(corpus: Path) -> None:
    assert count_inputs([corpus]) == len(list(read_paths([corpus])))
    assert count_inputs([FIXTURES / "feed_fr.rss", FIXTURES / "docs.jsonl", "missing.txt"]) == 3 + 3 + 1
    assert count_inputs(["-"]) is None


# --- identity --------------------------------------------------------------------------------------------


def test_same_text_in_two_files_has_the_same_id(tmp_path: Path) -> None:
    text = "Des hommes armés ont attaqué le poste de Boni.\n\nDeux gendarmes ont été tués."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(
        b"\xef\xbb\xbf" + text.replace("\n", "\r\n").replace(" le ", "  le ").encode()
    )
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    docs, problems = read(tmp_path)
    assert not problems
    assert len({d.id for d in docs}) == 1
    assert len({d.content_hash for d in docs}) == 1
    assert docs[0].id == text_id(text) and docs[0].id.startswith("sha1:") and len(docs[0].id) == 21
    assert docs[0].content_hash == content_hash(text) and len(docs[0].content_hash) == 64
    assert docs[1].text == text.replace(" le ", "  le ")  # BOM and CR removed, nothing else rewritten


def test_id_prefers_record_id_then_url() -> None:
    text = "Gunmen killed three people in Zamfara."
    assert document_from_record({"id": "x-1", "url": "https://a.example/1", "text": text}, "r").id == "x-1"
    assert document_from_record({"id": 42, "text": text}, "r").id == "42"
    doc = document_from_record({"url": "https://www.a.example/1", "text": text}, "r")
    assert doc.id == "https://www.a.example/1" and doc.outlet == "a.example"
    assert document_from_record({"text": text, "site_name": "Daily Trust"}, "r").outlet == "Daily Trust"


whitespace = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\n\n", " \n "])
words = st.lists(
    st.text(st.characters(blacklist_categories=("Zs", "Cc", "Zl", "Zp", "Cs")), min_size=1), min_size=1
)


@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert identity_text(identity_text(text)) == identity_text(text)
    assert identity_text(once) == identity_text(text)
    assert "\r" not in once and not once.startswith("\ufeff")


@given(words, st.lists(whitespace, min_size=1), st.booleans())
def test_id_depends_only_on_the_normalised_text(parts: list[str], seps: list[str], bom: bool) -> None:
    plain = " ".join(parts)
    spaced = ("\ufeff" if bom else "") + "".join(p + seps[i % len(seps)] for i, p in enumerate(parts))
    assert identity_text(spaced) == identity_text(plain)
    assert text_id(spaced) == text_id(plain)
    assert content_hash(spaced) == content_hash(plain)
    if identity_text(plain):
        a = document_from_record({"text": spaced}, "a", language="fr")
        b = document_from_record({"text": plain}, "b", language="fr")
        assert (a.id, a.content_hash) == (b.id, b.content_hash)


def test_normalisation_applies_nfc_and_keeps_paragraphs() -> None:
    decomposed = "Te\u0301ne\u0301re\u0301\r\n\r\nDeuxie\u0300me paragraphe"
    assert normalise_text(decomposed) == "Ténéré\n\nDeuxième paragraphe"


# --- HTML ------------------------------------------------------------------------------------------------


def test_html_page_gives_text_title_date_outlet_and_canonical_url() -> None:
    doc = one_doc(FIXTURES / "article_fr.html")
    assert doc.title == "Mopti : une embuscade fait six morts près de Bandiagara"
    assert doc.published == dt.date(2023, 3, 14)
    assert doc.outlet == "Le Courrier du Sahel"
    assert doc.url == doc.id == "https://www.courrier-sahel.example/securite/2023/03/14/embuscade-bandiagara"
    assert doc.language == "fr"
    assert "Six soldats des Forces armées maliennes (FAMa) ont été tués lundi matin" in doc.text
    assert "sans préciser le bilan." in doc.text
    for boilerplate in ("Accueil", "Que Dieu protège", "Tous droits réservés", "dataLayer", "font-family"):
        assert boilerplate not in doc.text
    assert "\n" in doc.text  # paragraphs stay apart


def test_html_without_extension_and_html_saved_as_txt_are_read_as_html(tmp_path: Path) -> None:
    page = (FIXTURES / "article_fr.html").read_bytes()
    (tmp_path / "page").write_bytes(page)
    (tmp_path / "page.txt").write_bytes(page)
    docs, problems = read(tmp_path / "page", tmp_path / "page.txt")
    assert not problems
    assert [d.title for d in docs] == ["Mopti : une embuscade fait six morts près de Bandiagara"] * 2


def test_html_in_a_legacy_encoding_is_decoded(tmp_path: Path) -> None:
    page = (
        (FIXTURES / "article_fr.html")
        .read_text(encoding="utf-8")
        .replace('charset="utf-8"', 'charset="iso-8859-1"')
    )
    page = page.replace("’", "'").replace("—", "-").replace("«", '"').replace("»", '"').replace("©", "(c)")
    (tmp_path / "latin1.html").write_bytes(page.encode("iso-8859-1"))
    doc = one_doc(tmp_path / "latin1.html")
    assert "Forces armées maliennes" in doc.text


def test_html_without_article_text_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "blank.html").write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>"
    )
    problem = one_problem(tmp_path / "blank.html")
    assert isinstance(problem.error, EmptyDocumentError)
    assert "no article text" in str(problem)


# --- feeds -----------------------------------------------------------------------------------------------


def test_rss_feed_gives_one_document_per_entry() -> None:
    docs, problems = read(FIXTURES / "feed_fr.rss")
    assert not problems
    assert [d.origin for d in docs] == [f"{FIXTURES / 'feed_fr.rss'}#entry {i}" for i in (1, 2, 3)]
    first, second, third = docs
    assert first.title == "Niger : deux attaques simultanées contre des postes de gendarmerie à Tillabéri"
    assert first.url == first.id == "https://www.courrier-sahel.example/securite/2023/05/02/tillaberi-postes"
    assert first.published == dt.date(2023, 5, 3)  # the feed's own date, not shifted to UTC
    assert first.outlet == "Le Courrier du Sahel"
    assert first.language == "fr"
    assert first.text.startswith(first.title + "\n\n")
    assert "ministère de l’Intérieur" in first.text  # the longer content:encoded, entities decoded
    assert "trois gendarmes ont été tués" in first.text
    assert "<" not in first.text and "track()" not in first.text
    assert (
        second.published == dt.date(2023, 5, 1) and "Volontaires pour la défense de la patrie" in second.text
    )
    assert third.url is None and third.id == "cs-10219"
    assert "lisière d'un camp" in third.text


def test_atom_feed_entries() -> None:
    docs, problems = read(FIXTURES / "feed_en.atom")
    assert not problems
    assert [(d.published, d.language, d.outlet) for d in docs] == [
        (dt.date(2022, 11, 20), "en", "Lake Chad Monitor"),
        (dt.date(2022, 11, 19), "en", "Lake Chad Monitor"),
    ]
    assert docs[1].text == (
        "Fishermen killed near Baga\n\nSuspected insurgents killed four fishermen on the shores of Lake Chad"
        " near Baga on Saturday, local vigilantes said."
    )


def test_xml_that_is_not_a_feed_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>')
    (tmp_path / "broken.rss").write_text("<rss><channel><title>x</title>\n<item><title>y</itm></channel>")
    (tmp_path / "broken2.rss").write_text(
        '<?xml version="1.0"?>\n<rss><channel>\n<item><title>y</itm></channel>'
    )
    docs, problems = read(tmp_path / "sitemap.xml", tmp_path / "broken.rss", tmp_path / "broken2.rss")
    assert not docs
    assert [type(p.error) for p in problems] == [FeedError, FeedError, FeedError]
    assert [str(p).replace(f"{tmp_path}/", "") for p in problems] == [
        "sitemap.xml: not an RSS/Atom feed (no channel or feed element) [V107]",
        "broken.rss: not a readable RSS/Atom feed (mismatched tag at line 2) [V107]",
        "broken2.rss: not a readable RSS/Atom feed (mismatched tag at line 3) [V107]",
    ]


def test_truncated_feed_gives_its_entries_and_a_problem(tmp_path: Path) -> None:
    data = (FIXTURES / "feed_fr.rss").read_text(encoding="utf-8")
    cut = data.index("<item>", data.index("</item>"))
    (tmp_path / "cut.rss").write_text(data[:cut] + "<item><title>Tchad", encoding="utf-8")
    docs, problems = read(tmp_path / "cut.rss")
    assert len(docs) >= 1 and docs[0].title and docs[0].title.startswith("Niger")
    assert len(problems) == 1 and "feed is not well-formed" in str(problems[0])


# --- records ---------------------------------------------------------------------------------------------


def test_record_dates() -> None:
    text = "Des affrontements ont éclaté à Tessit."
    assert document_from_record({"text": text, "published": "2023-03-14"}, "r").published == dt.date(
        2023, 3, 14
    )
    late = {"text": text, "published": "2023-03-14T23:30:00-05:00"}
    assert document_from_record(late, "r").published == dt.date(2023, 3, 14)  # as written, not UTC
    assert document_from_record(
        {"text": text, "published": "2023-03-14T08:00:00Z"}, "r"
    ).published == dt.date(2023, 3, 14)
    fallback = dt.date(2024, 1, 2)
    assert (
        document_from_record({"text": text, "published": None}, "r", published=fallback).published == fallback
    )
    assert document_from_record({"text": text}, "r", published=fallback).published == fallback
    with pytest.raises(InvalidDateError) as info:
        document_from_record({"text": text, "published": "14/03/2023"}, "docs.jsonl:4")
    assert str(info.value) == (
        "docs.jsonl:4: 'published' is not a date ('14/03/2023'); use YYYY-MM-DD or an ISO datetime [V108]"
    )
    with pytest.raises(InvalidDateError, match="'published' must be a date string"):
        document_from_record({"text": text, "published": 20230314}, "r")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "a"}, "record has no 'text'"),
        ({"text": None}, "record has no 'text'"),
        ({"text": 12}, "'text' must be a string, got a number"),
        ({"text": ["a"]}, "'text' must be a string, got an array"),
        ({"text": "ok", "url": 3}, "'url' must be a string or null, got a number"),
        ({"text": "ok", "id": {"a": 1}}, "'id' must be a string or a whole number, got an object"),
        (["text"], "expected a JSON object, got an array"),
    ],
)
def test_bad_records_are_rejected_with_a_clear_message(record: object, message: str) -> None:
    with pytest.raises(MalformedRecordError) as info:
        document_from_record(record, "docs.jsonl:9")
    assert str(info.value) == f"docs.jsonl:9: {message} [V104]"


def test_empty_text_record_is_an_empty_document() -> None:
    with pytest.raises(EmptyDocumentError):
        document_from_record({"text": " \n\t "}, "r")


def test_jsonl_problems_name_the_line_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "1", "text": "Attaque à Diafarabé.", "language": "fr"}).encode(),
        b"",
        b'{"id": "2", "text": "caf\xe9"}',
        json.dumps({"id": "3", "text": "Clashes in Menaka.", "published": "2023-02-30"}).encode(),
        b'"just a string"',
        json.dumps({"id": "4"}).encode(),
        json.dumps({"id": "5", "text": "Frappe de drone près de Kidal.", "language": "FR-ml"}).encode(),
    ]
    (tmp_path / "d.ndjson").write_bytes(b"\n".join(lines))
    docs, problems = read(tmp_path / "d.ndjson")
    assert [d.id for d in docs] == ["1", "5"]
    assert docs[1].language == "fr"
    where = str(tmp_path / "d.ndjson")
    assert [(p.where, p.code) for p in problems] == [
        (f"{where}:3", DecodeError.code),
        (f"{where}:4", InvalidDateError.code),
        (f"{where}:5", MalformedRecordError.code),
        (f"{where}:6", MalformedRecordError.code),
    ]
    assert "byte 0xe9" in str(problems[0])


def test_json_list_of_records(tmp_path: Path) -> None:
    records = [
        {"id": "a", "text": "Des tirs à Niono."},
        {"id": "b"},
        {"id": "c", "text": "Shelling in Kidal."},
    ]
    (tmp_path / "set.json").write_text(json.dumps(records), encoding="utf-8")
    docs, problems = read(tmp_path / "set.json")
    assert [d.id for d in docs] == ["a", "c"]
    assert [p.where for p in problems] == [f"{tmp_path / 'set.json'}#record 2"]


def test_jsonl_streams_without_loading_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    body = "Des hommes armés ont attaqué un convoi près de Douentza. " * 30
    with path.open("w", encoding="utf-8") as handle:
        for i in range(4000):
            handle.write(json.dumps({"id": f"d{i}", "text": body + str(i)}) + "\n")
    size = path.stat().st_size
    assert size > 6_000_000
    items = read_paths([path], language="fr")
    tracemalloc.start()
    count = sum(1 for item in items if isinstance(item, Document))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 4000
    assert peak < size / 10


def test_stdin_json_lines_and_plain_text() -> None:
    code = (
        "from veilleur.ingest import read_paths\n"
        "for d in read_paths(['-']): print(d.origin, d.id, d.language)"
    )
    records = json.dumps({"id": "s1", "text": "Gunmen attacked a village near Mopti."}) + "\n"
    out = subprocess.run(
        [sys.executable, "-c", code], input=records.encode(), capture_output=True, check=True
    )
    assert out.stdout.decode().split() == ["<stdin>:1", "s1", "en"]
    text = "Des hommes armés ont attaqué un village près de Mopti, selon des sources locales."
    out = subprocess.run([sys.executable, "-c", code], input=text.encode(), capture_output=True, check=True)
    assert out.stdout.decode().split() == ["<stdin>", text_id(text), "fr"]


# --- bad files -------------------------------------------------------------------------------------------


def test_unsupported_missing_and_undecodable_inputs(tmp_path: Path) -> None:
    (tmp_path / "rapport.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    (tmp_path / "scan").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    (tmp_path / "garbage.txt").write_bytes(bytes(range(0x80, 0x100)) * 4 + b"\x01\x02")
    (tmp_path / "blank.txt").write_text("  \n\n\t ")
    docs, problems = read(
        tmp_path / "rapport.pdf",
        tmp_path / "scan",
        tmp_path / "garbage.txt",
        tmp_path / "blank.txt",
        tmp_path / "nope",
    )
    assert not docs
    assert [type(p.error) for p in problems] == [
        UnsupportedInputError,
        UnsupportedInputError,
        DecodeError,
        EmptyDocumentError,
        MissingInputError,
    ]
    assert str(problems[0]).startswith(
        f"{tmp_path / 'rapport.pdf'}: unsupported file type '.pdf' (Veilleur reads"
    )
    assert "a PDF file" in str(problems[1])
    assert "not valid UTF-8 (byte 0x80 at offset 0)" in str(problems[2])
    assert str(problems[3]) == f"{tmp_path / 'blank.txt'}: file holds only whitespace [V101]"
    assert str(problems[4]) == f"{tmp_path / 'nope'}: no such file or directory [V106]"


def test_legacy_and_utf16_text_files_are_decoded(tmp_path: Path) -> None:
    text = "Sécurité : l'armée a repoussé une attaque à Ménaka. « Situation maîtrisée », selon l'état-major."
    (tmp_path / "cp1252.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    docs, problems = read(tmp_path)
    assert not problems
    assert [d.text for d in docs] == [text, text]


def test_extensionless_text_file_is_plain_text(tmp_path: Path) -> None:
    (tmp_path / "NOTE").write_text((FIXTURES / "brief_en.txt").read_text(encoding="utf-8"), encoding="utf-8")
    doc = one_doc(tmp_path / "NOTE")
    assert doc.text.startswith("KADUNA, Nigeria") and doc.language == "en" and doc.title is None


# --- language --------------------------------------------------------------------------------------------


def test_detect_language() -> None:
    assert detect_language((FIXTURES / "depeche_fr.txt").read_text(encoding="utf-8")) == "fr"
    assert detect_language((FIXTURES / "brief_en.txt").read_text(encoding="utf-8")) == "en"
    assert detect_language("Deux soldats tués à Gao.") == "fr"
    assert detect_language("Two soldiers killed in Gao.") == "en"
    assert detect_language("") is None
    assert detect_language("2023 - 14 / 03 ; 12:30") is None
    assert detect_language("Two soldiers killed in Gao.", supported=("fr",)) == "fr"


def test_stop_word_fallback() -> None:
    assert detect_by_stopwords((FIXTURES / "depeche_fr.txt").read_text(encoding="utf-8")) == "fr"
    assert detect_by_stopwords((FIXTURES / "brief_en.txt").read_text(encoding="utf-8")) == "en"
    assert detect_by_stopwords("Kidal Gao Tombouctou") is None


def test_language_precedence(tmp_path: Path) -> None:
    text = "Two soldiers were killed in an ambush near Gao on Monday, the army said."
    assert document_from_record({"text": text, "language": "fr"}, "r").language == "fr"  # the record's word
    assert document_from_record({"text": text, "language": "ar"}, "r").language == "en"  # unsupported: detect
    assert document_from_record({"text": text, "language": "ar"}, "r", language="fr").language == "fr"
    (tmp_path / "a.txt").write_text(text)
    assert one_doc(tmp_path / "a.txt", language="fr").language == "fr"
    assert one_doc(tmp_path / "a.txt", language="EN").language == "en"
    with pytest.raises(UnsupportedLanguageError):
        read_paths([tmp_path], language="de")


def test_published_argument_is_a_fallback_only() -> None:
    fallback = dt.date(2020, 1, 1)
    docs, _ = read(FIXTURES / "docs.jsonl", FIXTURES / "depeche_fr.txt", published=fallback)
    assert [d.published for d in docs] == [dt.date(2023, 1, 7), dt.date(2023, 1, 9), fallback, fallback]


def test_import_does_no_heavy_work() -> None:
    code = (
        "import sys, veilleur.ingest\n"
        "print(sorted(m for m in ('trafilatura', 'feedparser', 'lingua', 'spacy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert out.stdout.decode().strip() == "[]"
