"""Whoosh index schemas. Text fields receive text already analyzed by matchmaker.text
(space-joined tokens), so the index and the queries share one tokenizer and the writer stays
cheap. Kinds and query field names live in `fields` (shared by every backend)."""
from __future__ import annotations

from whoosh.analysis import SpaceSeparatedTokenizer, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from .documents import RUN_BREAK
from .fields import CHAR_FIELDS, CLAIMS_BOOST, KINDS, NEED, PATENT, TEXT_FIELDS, TITLE_BOOST, UNIGRAM_FIELD  # noqa: F401


def _text(boost: float = 1.0, stored: bool = False) -> TEXT:
    return TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False, field_boost=boost, stored=stored)


def _chars() -> TEXT:
    """Character bigrams with positions (phrase queries: 滴灌带 = 滴灌 then 灌带); run breaks
    are dropped but keep their position, so phrases never span punctuation."""
    analyzer = SpaceSeparatedTokenizer() | StopFilter(stoplist=[RUN_BREAK], minsize=1,
                                                      renumber=False, lang=None)
    return TEXT(analyzer=analyzer, phrase=True)


def _facet() -> ID:
    return ID(stored=False, sortable=True)


def patent_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        # Analyzed title/abstract are stored so the matcher re-ranks without re-tokenizing.
        title=_text(TITLE_BOOST, stored=True), abstract=_text(stored=True), claims=_text(CLAIMS_BOOST),
        tchars=_chars(), bchars=_chars(), chars=_text(),
        ipc=KEYWORD(lowercase=True, scorable=False, stored=True),
        ipc_section=KEYWORD(lowercase=False, scorable=False),   # "A".."H", as filters use
        patent_type=_facet(), legal_status=_facet(), owner_kind=_facet(), region=_facet(),
        listing_state=_facet(), owner_id=ID(),
        industry=KEYWORD(commas=True, scorable=False, stored=True),
        expiry=NUMERIC(int, bits=32, sortable=True), date=NUMERIC(int, bits=32, sortable=True),
        # active licence offers: see documents.offer_fields
        offer=_facet(), licence_type=KEYWORD(commas=True, scorable=False),
        payment_mode=KEYWORD(commas=True, scorable=False),
        free_months=NUMERIC(int, bits=32, sortable=True),
        fee_yuan=NUMERIC(int, bits=64, sortable=True),
    )


def need_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=_text(TITLE_BOOST, stored=True), abstract=_text(stored=True),
        tchars=_chars(), bchars=_chars(), chars=_text(),
        industry=ID(stored=True, sortable=True), region=_facet(), state=_facet(),
        enterprise_id=ID(),
        date=NUMERIC(int, bits=32, sortable=True), expiry=NUMERIC(int, bits=32, sortable=True),
    )


SCHEMAS = {PATENT: patent_schema, NEED: need_schema}
