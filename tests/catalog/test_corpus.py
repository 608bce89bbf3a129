"""Import of patent records in the shared corpus format (JSON Lines)."""
from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matchmaker.catalog.corpus import first_applicant, first_claim, read_jsonl
from matchmaker.imports.corpus import import_records
from matchmaker.models import (LegalStatus, ListingState, Organization, OrgKind, Patent,
                               PatentIPC, PatentType)
from tests.factories import make_org

TODAY = date(2024, 6, 1)
SOURCE = "Pinellia-0/PatentSemantix:专利总表(案例).sql@4e22718715c7"


def record(rid: str, **fields) -> dict:
    """A record shaped like /work/shared/data/patents/*.jsonl."""
    rec = {"id": rid, "app_no": None, "pub_no": None, "title": None, "abstract": None,
           "claims": None, "ipc": [], "cpc": [], "applicant": None, "applicant_type": None,
           "type": None, "app_date": None, "grant_date": None, "legal_status": None,
           "keyphrases": [], "source": SOURCE}
    rec.update(fields)
    return rec


VALID = record(
    "CN201710601862.3", app_no="CN201710601862.3", pub_no="CN107123456B",
    title="一种锂离子电池正极材料及其制备方法", abstract="本发明公开了一种锂离子电池正极材料。",
    claims="1.一种锂离子电池正极材料，其特征在于，包括镍钴锰三元材料。2.根据权利要求1所述的正极材料，"
           "其特征在于，所述材料经过包覆。",
    ipc=["H01M10/052", "H01M4/36"], applicant="新疆大学;新疆农业大学", applicant_type="大专院校",
    type="发明授权", app_date="2017-08-01", grant_date="2019-05-10", legal_status="有权-审定授权")
NO_NUMBER_NO_TITLE = record(
    "KPZH-TR-00001", abstract="本申请涉及使用近红外光谱法评估牙齿表面上的聚合物沉积的方法。",
    applicant="中科大数据研究院", applicant_type="科研机构")
NO_APPLICANT = record("KPZH-TR-00002", abstract="一种用于液化和提纯高压乙烷供给流的装置和过程。")
LAPSED = record(
    "CN201820000017.4", app_no="201820000017.4", title="一种无人机机载多功能盒",
    abstract="实用新型提出了一种无人机机载多功能盒。", ipc=["B64U20/80"],
    applicant="新疆大学", type="实用新型", app_date="2018-01-02", grant_date="2018-09-01",
    legal_status="失效-未缴年费专利权终止")
PENDING = record(
    "CN202310000011.9", app_no="202310000011.9", title="一种文本检索方法",
    abstract="本发明公开了一种文本检索方法。", ipc=["G06F16/33"], applicant="新疆大学",
    type="发明公开", app_date="2023-01-05", legal_status="审中-实质审查")
EXPIRED = record(
    "OLD-1", title="一种老旧的方法", abstract="一种老旧的方法。", applicant="新疆大学",
    type="发明授权", app_date="2001-01-01", grant_date="2004-01-01", legal_status="有权")
BAD_NUMBER = record(
    "CN201610123456.7", app_no="201610123456.7", title="校验位错误的专利",
    abstract="摘要。", applicant="新疆大学", type="发明授权", app_date="2016-03-01",
    legal_status="有权")


def _fix_app_nos():
    """Give LAPSED and PENDING numbers whose check digit is right (computed, not hard-coded)."""
    from matchmaker.catalog.numbers import app_no_check_char
    for rec, body in ((LAPSED, "201820000017"), (PENDING, "202310000011")):
        no = f"{body}.{app_no_check_char(body)}"
        rec["app_no"], rec["id"] = no, f"CN{no}"


_fix_app_nos()


def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln, ensure_ascii=False))
                            + "\n" for ln in lines), encoding="utf-8")
    return path


@pytest.fixture
def corpus_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "patents.jsonl", [
        VALID,                                   # 1
        NO_NUMBER_NO_TITLE,                      # 2
        NO_APPLICANT,                            # 3: rejected (no owner)
        LAPSED,                                  # 4
        "",                                      # 5: blank line, skipped
        PENDING,                                 # 6
        EXPIRED,                                 # 7
        BAD_NUMBER,                              # 8: rejected (check digit)
        '{"id": "BROKEN", "title": "缺少右括号"',  # 9: rejected (JSON)
        dict(VALID, title="重复的记录"),            # 10: rejected (duplicate id)
        "[1, 2, 3]",                             # 11: rejected (not an object)
    ])


def run_import(session, path: Path, **kwargs):
    report = import_records(session, read_jsonl(path), today=TODAY, **kwargs)
    session.flush()
    return report


def counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(m))
                 for m in (Patent, PatentIPC, Organization))


def by_source(session, rid: str) -> Patent:
    return session.scalar(select(Patent).where(Patent.source_id == rid))


def test_import_counts_created_and_rejected_rows_with_line_numbers(session, corpus_file):
    report = run_import(session, corpus_file)
    assert report.created == 5
    assert report.updated == 0
    assert not report.ok
    rejected = {line: (rid, reason) for line, rid, reason in report.rejected}
    assert sorted(rejected) == [3, 8, 9, 10, 11]
    assert rejected[3][0] == "KPZH-TR-00002" and "--owner" in rejected[3][1]
    assert rejected[8][0] == "CN201610123456.7" and "应为 6" in rejected[8][1]
    assert rejected[9][0] == "" and "JSON" in rejected[9][1]
    assert rejected[10][0] == VALID["id"] and "重复" in rejected[10][1]
    assert "JSON 对象" in rejected[11][1]
    assert session.scalar(select(func.count()).select_from(Patent)) == 5


def test_imported_values_are_copied_and_derived(session, corpus_file):
    run_import(session, corpus_file)
    p = by_source(session, VALID["id"])
    assert p.app_no == "201710601862.3"
    assert p.title == VALID["title"] and p.abstract == VALID["abstract"]
    assert p.patent_type == PatentType.INVENTION and p.legal_status == LegalStatus.VALID
    assert (p.filing_date, p.grant_date) == (date(2017, 8, 1), date(2019, 5, 10))
    assert p.expiry_date == date(2037, 7, 31)
    assert p.ipc_codes == ["H01M 10/052", "H01M 4/36"]
    assert [e.subclass for e in p.ipc_entries] == ["H01M", "H01M"]
    assert p.first_claim == "1.一种锂离子电池正极材料，其特征在于，包括镍钴锰三元材料。"   # kept as written
    assert p.source == SOURCE
    untitled = by_source(session, NO_NUMBER_NO_TITLE["id"])
    assert untitled.app_no is None and untitled.title == "" and untitled.patent_type is None


@pytest.mark.parametrize("rid, state", [
    (VALID["id"], ListingState.LISTED),
    (NO_NUMBER_NO_TITLE["id"], ListingState.LISTED),    # status unknown, not expired
    (LAPSED["id"], ListingState.ARCHIVED),
    (PENDING["id"], ListingState.DRAFT),
    (EXPIRED["id"], ListingState.ARCHIVED),             # valid on paper, term over in 2020
])
def test_initial_listing_state_follows_status_and_expiry(session, corpus_file, rid, state):
    run_import(session, corpus_file)
    assert by_source(session, rid).listing_state == state


def test_owners_are_created_from_the_first_applicant(session, corpus_file):
    run_import(session, corpus_file)
    owners = {o.name: o for o in session.scalars(select(Organization))}
    assert set(owners) == {"新疆大学", "中科大数据研究院"}
    assert owners["新疆大学"].kind == OrgKind.UNIVERSITY
    assert owners["中科大数据研究院"].kind == OrgKind.INSTITUTE
    assert all(o.source == "import" and o.is_approved for o in owners.values())
    assert by_source(session, VALID["id"]).owner is owners["新疆大学"]
    assert by_source(session, NO_NUMBER_NO_TITLE["id"]).owner is owners["中科大数据研究院"]


def test_existing_organization_is_reused_as_owner(session, tmp_path):
    uni = make_org(session, OrgKind.UNIVERSITY, name="新疆大学")
    session.flush()
    run_import(session, write_jsonl(tmp_path / "one.jsonl", [VALID]))
    assert by_source(session, VALID["id"]).owner_id == uni.id
    assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_explicit_owner_takes_every_record_and_no_organization_is_created(session, corpus_file):
    owner = make_org(session, OrgKind.INSTITUTE, name="指定研究所")
    session.flush()
    report = run_import(session, corpus_file, owner=owner)
    assert report.created == 6                      # the record without applicant is accepted
    assert {line for line, _, _ in report.rejected} == {8, 9, 10, 11}
    assert set(session.scalars(select(Patent.owner_id))) == {owner.id}
    assert session.scalar(select(func.count()).select_from(Organization)) == 1


def test_reimport_is_idempotent(session, corpus_file):
    first = run_import(session, corpus_file)
    before = counts(session)
    second = run_import(session, corpus_file)
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert [r[:2] for r in second.rejected] == [r[:2] for r in first.rejected]
    assert counts(session) == before


def test_reimport_keeps_the_owners_listing_decision(session, corpus_file):
    run_import(session, corpus_file)
    by_source(session, VALID["id"]).listing_state = ListingState.WITHDRAWN
    session.flush()
    run_import(session, corpus_file)
    assert by_source(session, VALID["id"]).listing_state == ListingState.WITHDRAWN


def test_reimport_archives_a_listed_patent_that_has_lapsed(session, tmp_path):
    run_import(session, write_jsonl(tmp_path / "v1.jsonl", [VALID]))
    assert by_source(session, VALID["id"]).listing_state == ListingState.LISTED
    run_import(session, write_jsonl(tmp_path / "v2.jsonl",
                                    [dict(VALID, legal_status="失效-未缴年费专利权终止")]))
    patent = by_source(session, VALID["id"])
    assert patent.legal_status == LegalStatus.LAPSED
    assert patent.listing_state == ListingState.ARCHIVED


def test_list_valid_false_imports_valid_patents_as_drafts(session, tmp_path):
    run_import(session, write_jsonl(tmp_path / "one.jsonl", [VALID]), list_valid=False)
    assert by_source(session, VALID["id"]).listing_state == ListingState.DRAFT


def test_record_with_neither_title_nor_abstract_is_rejected(session, tmp_path):
    report = run_import(session, write_jsonl(tmp_path / "empty.jsonl",
                                             [record("EMPTY-1", applicant="新疆大学")]))
    assert report.created == 0
    assert [(line, rid) for line, rid, _ in report.rejected] == [(1, "EMPTY-1")]


def test_same_application_number_under_two_ids_is_rejected_once(session, tmp_path):
    report = run_import(session, write_jsonl(tmp_path / "dup.jsonl",
                                             [VALID, dict(VALID, id="OTHER-ID")]))
    assert report.created == 1
    assert [(line, rid) for line, rid, _ in report.rejected] == [(2, "OTHER-ID")]


def test_gzip_files_are_read(session, tmp_path):
    path = tmp_path / "patents.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(VALID, ensure_ascii=False) + "\n")
    assert run_import(session, path).created == 1


def test_utf8_bom_is_tolerated(session, tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_text(json.dumps(VALID, ensure_ascii=False) + "\n", encoding="utf-8-sig")
    assert run_import(session, path).created == 1


# --- pure helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("claims, expected", [
    ("1.一种方法，包括步骤A。2.根据权利要求1所述的方法，其特征在于B。",
     "1.一种方法，包括步骤A。"),
    ("1、一种装置，包括壳体；2、根据权利要求1所述的装置。", "1、一种装置，包括壳体；"),
    ("1．一种材料，温度为2.5℃。 2．根据权利要求1所述的材料。", "1．一种材料，温度为2.5℃。"),
    ("1.一种方法，其特征在于，温度为 2.5 ℃。", "1.一种方法，其特征在于，温度为 2.5 ℃。"),
    ("1.一种系统，包括模块2.0版本。", "1.一种系统，包括模块2.0版本。"),
    ("", ""),
    (None, ""),
])
def test_first_claim_splits_at_claim_2(claims, expected):
    assert first_claim(claims) == expected


@pytest.mark.parametrize("raw, expected", [
    ("新疆大学", "新疆大学"),
    ("新疆大学;新疆农业大学", "新疆大学"),
    ("新疆大学；国网新疆电力有限公司", "新疆大学"),
    ("石河子大学, 新疆天业(集团)有限公司", "石河子大学"),
    ("中国科学院新疆理化技术研究所（分所，测试）、某公司", "中国科学院新疆理化技术研究所（分所，测试）"),
    ("  塔里木大学  ", "塔里木大学"),
    ("", ""),
    (None, ""),
])
def test_first_applicant(raw, expected):
    assert first_applicant(raw) == expected
