"""Text helpers of the ingest stage: decoding bytes, normalising text, identity hashes, HTML fragments.

Two normalisations, on purpose:

* :func:`normalise_text` is what ``Document.text`` holds. It only removes what is not text (leading BOMs),
  unifies newlines to ``\\n`` and applies Unicode NFC; paragraph breaks and every other character stay,
  because evidence offsets point into this text.
* :func:`identity_text` additionally collapses every run of whitespace to one space and strips the ends.
  It is used only to compute ``Document.content_hash`` and the fallback ``sha1:`` id, so the same article
  read from a ``.txt`` file, a JSON record or a re-wrapped copy gets the same identity.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from html.parser import HTMLParser

from veilleur.errors import BinaryInputError, DecodeError

_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029\x85]")
_WHITESPACE = re.compile(r"\s+")
# C0 control characters that never occur in a text file (everything below 0x20 except \t \n \v \f \r).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_SNIFF_BYTES = 8192


def normalise_text(text: str) -> str:
    """Leading BOMs removed, newlines unified to ``\\n``, Unicode NFC. Idempotent; nothing else changes."""
    text = _NEWLINES.sub("\n", text.lstrip("\ufeff"))
    return unicodedata.normalize("NFC", text).lstrip("\ufeff")


def identity_text(text: str) -> str:
    """The text an identity is computed from: :func:`normalise_text`, whitespace collapsed, stripped."""
    return _WHITESPACE.sub(" ", normalise_text(text)).strip()


def content_hash(text: str) -> str:
    """SHA-256 (hex) of :func:`identity_text`."""
    return hashlib.sha256(identity_text(text).encode("utf-8")).hexdigest()


def text_id(text: str) -> str:
    """The fallback document id: ``sha1:`` + the first 16 hex digits of the SHA-1 of :func:`identity_text`."""
    return "sha1:" + hashlib.sha1(identity_text(text).encode("utf-8")).hexdigest()[:16]


def clean_field(value: str | None) -> str | None:
    """A short metadata string (title, outlet, URL): NFC, whitespace collapsed, ``None`` when empty."""
    if value is None:
        return None
    value = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return value or None


# --- decoding ----------------------------------------------------------------------------------------


def has_nul(data: bytes) -> bool:
    return b"\x00" in data[:_SNIFF_BYTES]


def _looks_like_cp1252_text(data: bytes) -> bool:
    """True when legacy-encoded bytes are clearly text: no control bytes, mostly ASCII, valid cp1252."""
    if _CONTROL_BYTES.search(data):
        return False
    high = sum(1 for b in data if b >= 0x80)
    if high > 0.3 * len(data):
        return False
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def utf16_by_pattern(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when BOM-less bytes have UTF-16's NUL pattern (mostly-ASCII text: every
    other byte is NUL, on one side only), else None."""
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    if len(sample) % 2:
        sample = sample[:-1]
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    half = len(sample) // 2
    if nul_odd >= 0.6 * half and nul_even <= 0.05 * half:
        return "utf-16-le"
    if nul_even >= 0.6 * half and nul_odd <= 0.05 * half:
        return "utf-16-be"
    return None


def _decode_utf16_pattern(data: bytes) -> str | None:
    codec = utf16_by_pattern(data)
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    # text, not a binary format that happens to have NULs every other byte
    controls = sum(1 for ch in text[:_SNIFF_BYTES] if ord(ch) < 0x20 and ch not in "\t\n\v\f\r")
    return text if controls <= 0.01 * max(1, min(len(text), _SNIFF_BYTES)) else None


def _utf8_shape(data: bytes) -> tuple[int, int, int | None]:
    """(valid multi-byte UTF-8 characters, invalid bytes, offset of the first invalid byte)."""
    valid = bad = 0
    first: int | None = None
    pos = 0
    while pos < len(data):
        try:
            chunk = data[pos:].decode("utf-8")
        except UnicodeDecodeError as exc:
            good = data[pos : pos + exc.start].decode("utf-8")
            valid += sum(1 for ch in good if ord(ch) >= 0x80)
            if first is None:
                first = pos + exc.start
            skip = max(1, exc.end - exc.start)
            bad += skip
            pos += exc.start + skip
            continue
        valid += sum(1 for ch in chunk if ord(ch) >= 0x80)
        break
    return valid, bad, first


def decode_bytes(data: bytes, *, declared: str | None = None, allow_legacy: bool = True) -> str:
    """Decode a text file's bytes (see :func:`decode_bytes_noting`); the warning, if any, is dropped."""
    return decode_bytes_noting(data, declared=declared, allow_legacy=allow_legacy)[0]


def decode_bytes_noting(
    data: bytes, *, declared: str | None = None, allow_legacy: bool = True
) -> tuple[str, str | None]:
    """Decode a text file's bytes: (text, a warning or None).

    Order: a UTF-16/UTF-32 BOM; NUL bytes in UTF-16's pattern (every other byte) mean UTF-16 without a BOM,
    other NUL bytes mean binary (:class:`BinaryInputError`); UTF-8 (with or without BOM); the charset the
    file itself declares (``declared``, e.g. an HTML ``<meta charset>``); UTF-8 with a few bad bytes (the
    file has valid multi-byte UTF-8 characters and no more bad bytes than those) is read with the bad bytes
    replaced by U+FFFD and a warning naming the first one's offset; then, when ``allow_legacy``, cp1252
    (a superset of Latin-1, the usual legacy encoding of French web pages) but only when the bytes hold no
    valid multi-byte UTF-8 at all and are clearly text. Anything else is a :class:`DecodeError` naming the
    first bad byte.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), None
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"not valid {codec.upper()} despite its byte-order mark ({exc.reason})"
                ) from None
    if has_nul(data):
        text = _decode_utf16_pattern(data)
        if text is not None:
            return text, None
        raise BinaryInputError("binary content (NUL bytes), not a text document")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if declared:
        try:
            codecs.lookup(declared)
            return data.decode(declared), None
        except (LookupError, UnicodeDecodeError):
            pass
    valid, bad, first = _utf8_shape(data)
    if valid and valid >= bad:
        where = utf8_error.start if first is None else first
        count = f"{bad} bytes" if bad != 1 else "1 byte"
        warning = (
            f"not valid UTF-8 at offset {where} (byte 0x{data[where]:02x}); "
            f"read as UTF-8 with {count} replaced by U+FFFD"
        )
        return data.decode("utf-8-sig", errors="replace"), warning
    if allow_legacy and _looks_like_cp1252_text(data):
        return data.decode("cp1252"), None
    bad_hex = data[utf8_error.start : utf8_error.start + 1].hex()
    raise DecodeError(
        f"not valid UTF-8 (byte 0x{bad_hex} at offset {utf8_error.start}); re-save the file as UTF-8"
    ) from None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes (``<meta charset>`` or ``http-equiv``)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_FEED_START = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)[\s>]", re.DOTALL)


def looks_like_html(text: str) -> bool:
    """True for a page that starts like an HTML document (doctype or ``<html>``)."""
    return _HTML_START.match(text[:4096]) is not None


def looks_like_feed(text: str) -> bool:
    return _FEED_START.match(text[:4096]) is not None


# --- HTML fragments (feed summaries) --------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr article section header footer figure "
    "figcaption dd dt hr".split()
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0

    def _flush(self) -> None:
        block = _WHITESPACE.sub(" ", "".join(self.current)).strip()
        if block:
            self.blocks.append(block)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)


def html_fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment (feed summary): tags and scripts dropped, entities decoded, a block a line."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    parser._flush()
    return "\n".join(parser.blocks)
