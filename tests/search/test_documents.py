"""ORM objects → index documents: raw fields, IPC levels, dates as numbers, analysis."""
from __future__ import annotations

import pickle
from datetime import date

from matchmaker.models import LegalStatus, ListingState, OrgKind, PatentType
from matchmaker.search.documents import (CHAR_BODY_CHARS, NO_EXPIRY, analyze_batch,
                                         analyze_document, char_field_text, day_number,
                                         need_document, patent_document)
from matchmaker.search.schemas import SCHEMAS
from matchmaker.text.tokenize import char_bigrams, tokenize_for_search

from .conftest import with_ipc
from tests.factories import make_need, make_org, make_patent


def test_day_number_is_sortable_yyyymmdd():
    assert day_number(date(2038, 2, 28)) == 20380228
    assert day_number(date(2001, 12, 1)) < day_number(date(2002, 1, 1))
    assert day_number(None) == 0
    assert day_number(None, NO_EXPIRY) == NO_EXPIRY == 99991231


def test_patent_document_raw_fields(session):
    owner = make_org(session, OrgKind.INSTITUTE, region="喀什地区")
    p = make_patent(session, owner, title="锂电池隔膜", abstract="一种隔膜。", first_claim="1. 一种隔膜",
                    patent_type=PatentType.UTILITY, legal_status=LegalStatus.VALID,
                    filing_date=date(2019, 5, 6), grant_date=date(2020, 7, 8),
                    expiry_date=date(2029, 5, 5), industry_tags=["新能源", "新材料"],
                    listing_state=ListingState.LISTED)
    with_ipc(p, "H01M 50/40", "H01M 10/052", "C08J 5/18")
    session.flush()

    doc = patent_document(p)

    assert doc["id"] == str(p.id)
    assert (doc["title"], doc["abstract"], doc["claims"]) == ("锂电池隔膜", "一种隔膜。", "1. 一种隔膜")
    # every level of every code, deduplicated and sorted
    assert doc["ipc"] == "C C08 C08J H H01 H01M"
    assert doc["ipc_section"] == "C H"
    assert doc["patent_type"] == "utility"
    assert doc["legal_status"] == "valid"
    assert doc["owner_kind"] == "institute"
    assert doc["region"] == "喀什地区"
    assert doc["listing_state"] == "listed"
    assert doc["owner_id"] == str(owner.id)
    assert doc["industry"] == "新能源,新材料"
    assert doc["expiry"] == 20290505
    assert doc["date"] == 20200708, "grant date wins over filing date"


def test_patent_document_defaults_for_missing_values(session):
    owner = make_org(session, OrgKind.UNIVERSITY)
    p = make_patent(session, owner, patent_type=None, expiry_date=None, grant_date=None,
                    filing_date=None, industry_tags=[], first_claim="")
    doc = patent_document(p)
    assert doc["ipc"] is None and doc["ipc_section"] is None
    assert doc["industry"] is None
    assert doc["patent_type"] == "unknown"
    assert doc["expiry"] == NO_EXPIRY
    assert doc["date"] == day_number(p.created_at.date())

    out = analyze_document(doc)
    for name in ("ipc", "ipc_section", "industry"):
        assert name not in out, f"None field {name} must be dropped (Whoosh rejects None)"
    assert None not in out.values()
    assert out.get("claims", "") == ""


def test_filing_date_used_without_grant(session):
    p = make_patent(session, make_org(session, OrgKind.UNIVERSITY), grant_date=None,
                    filing_date=date(2017, 1, 2))
    assert patent_document(p)["date"] == 20170102


def test_need_document_fields(session):
    ent = make_org(session, OrgKind.ENTERPRISE, region="哈密市")
    n = make_need(session, ent, title="滴灌带堵塞", description="滴灌带容易堵塞", industry="节水农业",
                  valid_until=date(2026, 1, 31))
    doc = need_document(n)
    assert doc == {
        "id": str(n.id), "title": "滴灌带堵塞", "abstract": "滴灌带容易堵塞", "industry": "节水农业",
        "region": "哈密市", "state": "open", "enterprise_id": str(ent.id),
        "date": day_number(n.created_at.date()), "expiry": 20260131,
    }
    n.valid_until = None
    assert need_document(n)["expiry"] == NO_EXPIRY


def test_analyze_document_tokenizes_text_fields_and_adds_character_fields():
    raw = {"id": "7", "title": "一種鋰電池正極材料", "abstract": "本發明涉及ＬＥＤ燈。電池", "claims": "隔膜",
           "region": None, "expiry": 1}
    out = analyze_document(raw)
    assert out["title"] == " ".join(tokenize_for_search(raw["title"]))
    assert "锂电池" in out["title"].split(), "normalized to simplified before tokenizing"
    assert "led" in out["abstract"].split()
    assert out["claims"] == "隔膜"
    assert out["tchars"].split() == char_bigrams("一種鋰電池正極材料")
    # runs are kept apart so a phrase cannot span the full stop
    assert out["bchars"] == "本发 发明 明涉 涉及 led 灯 | 电池"
    assert set(out["chars"].split()) == set("一种锂电池正极材料本发明涉及灯")
    assert "region" not in out
    assert out["id"] == "7" and out["expiry"] == 1
    assert raw["title"] == "一種鋰電池正極材料" and raw["region"] is None, "input left untouched"


def test_character_field_covers_the_abstract_up_to_its_limit():
    abstract = "甲" * (CHAR_BODY_CHARS - 3) + "锂电池" + "乙" * 10
    out = analyze_document({"id": "1", "title": "隔膜", "abstract": abstract})
    grams = out["bchars"].split()
    assert "锂电" in grams and "电池" in grams
    assert "乙乙" not in grams and "池乙" not in grams
    assert char_field_text("滴灌带，带子") == "滴灌 灌带 | 带子"


def test_untitled_record_is_indexed_under_its_derived_title():
    out = analyze_document({"id": "1", "title": "", "abstract": "本发明公开了一种农用滴灌带铺设装置，包括机架。"})
    assert out["title"] == " ".join(tokenize_for_search("一种农用滴灌带铺设装置"))
    assert "滴灌 灌带" in out["tchars"]


def test_document_without_text_has_no_text_fields():
    out = analyze_document({"id": "1", "title": None, "abstract": None})
    assert out == {"id": "1"}


def test_analyzed_documents_fit_the_schemas_and_pickle(session):
    """Every field a document produces exists in the schema; batches cross process boundaries."""
    owner = make_org(session, OrgKind.UNIVERSITY)
    p = with_ipc(make_patent(session, owner, industry_tags=["新能源"]), "H01M 4/36")
    session.flush()
    n = make_need(session, make_org(session, OrgKind.ENTERPRISE))
    for kind, doc in (("patent", patent_document(p)), ("need", need_document(n))):
        names = set(SCHEMAS[kind]().names())
        (out,) = analyze_batch([doc])
        assert set(out) <= names, set(out) - names
        assert pickle.loads(pickle.dumps(out)) == out
