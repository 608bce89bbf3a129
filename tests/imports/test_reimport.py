"""Importing again: upserts by application number or source id, changes listed, near-duplicates."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from matchmaker.models import LegalStatus, ListingState, Patent
from tests.factories import make_patent
from tests.imports.helpers import (app_no, counts, import_patents, patent_by_app_no,
                                   rejected_rows, warned_rows, write_csv, write_xlsx)

HEADER = ["申请号", "专利名称", "摘要", "法律状态", "申请日", "IPC分类号", "发明人", "来源编号"]
A1, A2 = app_no(2017, "1", 1), app_no(2017, "1", 2)
ORIGINAL = [HEADER,
            [A1, "一种锂电池正极材料的制备方法", "本发明公开了一种锂电池正极材料。", "有权", "2017-05-01",
             "H01M10/052", "张三;李四", ""],
            [A2, "一种光伏组件清洗装置", "本发明公开了一种清洗装置。", "有权", "2017-06-01", "B08B1/00",
             "王五", ""],
            ["", "一种没有申请号的技术", "来自成果登记系统。", "", "", "", "", "CG-2021-007"]]


def test_same_file_twice_is_unchanged_the_second_time(session, university, tmp_path):
    for path in (write_csv(tmp_path / "p.csv", ORIGINAL), write_xlsx(tmp_path / "p.xlsx", ORIGINAL)):
        import_patents(session, path, university)
        after_first = counts(session)
        summary = import_patents(session, path, university)
        assert summary.counts == {"new": 0, "updated": 0, "unchanged": 3, "rejected": 0,
                                  "near_duplicate": 0}
        assert summary.changes == [] and summary.near_duplicates == []
        assert counts(session) == after_first
    assert counts(session)["Patent"] == 3


def test_modified_file_updates_and_lists_the_changed_fields(session, university, tmp_path):
    import_patents(session, write_csv(tmp_path / "p.csv", ORIGINAL), university)
    first = patent_by_app_no(session, A1)
    session.expire_all()
    modified = [HEADER,
                [A1, "一种锂电池正极材料的改进制备方法", "", "失效-未缴年费终止", "", "", "", ""],
                [A2, "一种光伏组件清洗装置", "本发明公开了一种清洗装置。", "有权", "2017-06-01",
                 "B08B1/00;H02S40/10", "王五", ""],
                ["", "一种没有申请号的技术（修订）", "", "", "", "", "", "CG-2021-007"]]
    summary = import_patents(session, write_csv(tmp_path / "p2.csv", modified), university)
    assert summary.counts == {"new": 0, "updated": 3, "unchanged": 0, "rejected": 0,
                              "near_duplicate": 0}
    assert [(c["row"], c["key"], c["changes"]) for c in summary.changes] == [
        (2, A1, [["专利名称", "一种锂电池正极材料的制备方法", "一种锂电池正极材料的改进制备方法"],
                 ["法律状态", "有效", "失效"], ["上架状态", "已上架", "已归档"]]),
        (3, A2, [["IPC分类号", "B08B 1/00", "B08B 1/00；H02S 40/10"]]),
        (4, "CG-2021-007", [["专利名称", "一种没有申请号的技术", "一种没有申请号的技术（修订）"]]),
    ]
    assert summary.changes[0]["target_id"] == first.id
    assert warned_rows(summary) == {2: ["该专利已失效，已从上架改为归档"]}

    session.expire_all()
    updated = patent_by_app_no(session, A1)
    assert updated.id == first.id
    assert (updated.title, updated.legal_status, updated.listing_state) == (
        "一种锂电池正极材料的改进制备方法", LegalStatus.LAPSED, ListingState.ARCHIVED)
    # empty cells leave what was there
    assert updated.abstract == "本发明公开了一种锂电池正极材料。"
    assert updated.filing_date == date(2017, 5, 1) and updated.expiry_date == date(2037, 4, 30)
    assert updated.ipc_codes == ["H01M 10/052"] and updated.inventors == ["张三", "李四"]
    second = patent_by_app_no(session, A2)
    assert [e.code for e in second.ipc_entries] == ["B08B 1/00", "H02S 40/10"]
    by_source = session.scalars(select(Patent).where(Patent.source_id == "CG-2021-007")).one()
    assert by_source.title == "一种没有申请号的技术（修订）" and by_source.abstract == "来自成果登记系统。"
    assert counts(session)["Patent"] == 3


def test_source_id_row_gains_its_application_number_later(session, university, tmp_path):
    """An update row may leave the title and abstract empty: what is stored stays."""
    import_patents(session, write_csv(tmp_path / "p.csv", ORIGINAL), university)
    number = app_no(2021, "1", 7)
    later = [["来源编号", "申请号", "申请日", "专利名称"], ["CG-2021-007", number, "2021-03-01", ""]]
    summary = import_patents(session, write_csv(tmp_path / "p2.csv", later), university)
    assert summary.counts["updated"] == 1
    assert summary.changes[0]["changes"] == [["申请号", "（空）", number], ["专利类型", "（空）", "发明"],
                                             ["申请日", "（空）", "2021-03-01"]]
    patent = patent_by_app_no(session, number)
    assert patent.source_id == "CG-2021-007" and patent.expiry_date == date(2041, 2, 28)
    assert (patent.title, patent.abstract) == ("一种没有申请号的技术", "来自成果登记系统。")   # kept
    assert counts(session)["Patent"] == 3


def test_application_number_of_another_organization_is_rejected(
        session, university, other_university, tmp_path):
    theirs = make_patent(session, other_university, app_no=A2, title="石河子大学的方法")
    before = counts(session)
    summary = import_patents(session, write_csv(tmp_path / "p.csv", ORIGINAL), university)
    assert rejected_rows(summary) == {      # never naming their record (it may be hidden)
        3: [f"{A2} 已由其他机构登记，不能作为本机构的专利导入；如果这件专利属于贵单位，请联系平台运营方核实权属"]}
    assert "#" not in str(summary.rejected) and all(r.get("target_id") is None for r in summary.rejected)
    assert summary.counts["new"] == 2
    assert counts(session)["Patent"] == before["Patent"] + 2
    session.refresh(theirs)
    assert (theirs.owner_id, theirs.title) == (other_university.id, "石河子大学的方法")


def test_source_id_of_another_patent_is_rejected(session, university, tmp_path):
    import_patents(session, write_csv(tmp_path / "p.csv", ORIGINAL), university)
    clash = [["申请号", "专利名称", "来源编号"], [A1, "一种锂电池正极材料的制备方法", "CG-2021-007"]]
    summary = import_patents(session, write_csv(tmp_path / "p2.csv", clash), university)
    assert rejected_rows(summary) == {2: ["来源编号 CG-2021-007 已属于另一件专利"]}


NEAR_TITLE = "一种高效光伏组件清洗机器人及其控制方法"
NEAR_ABSTRACT = "本发明公开了一种高效光伏组件清洗机器人，包括行走机构和清洗刷，适用于沙尘地区。"


def near_duplicate_file(tmp_path):
    return write_csv(tmp_path / "p.csv", [
        ["申请号", "专利名称", "摘要", "法律状态", "申请日"],
        [app_no(2019, "1", 1), "一种节水滴灌带及其生产工艺", "本发明公开了一种节水滴灌带。", "有效", "2019-05-01"],
        [app_no(2019, "1", 2), NEAR_TITLE + "。", NEAR_ABSTRACT.replace("和", "与"), "有效", "2019-05-01"]])


def test_near_identical_patent_of_the_same_owner_is_flagged_not_written(session, university, tmp_path):
    existing = make_patent(session, university, title=NEAR_TITLE, abstract=NEAR_ABSTRACT)
    before = counts(session)
    summary = import_patents(session, near_duplicate_file(tmp_path), university)
    assert summary.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 0,
                              "near_duplicate": 1}
    [flag] = summary.near_duplicates
    assert flag == {"row": 3, "key": app_no(2019, "1", 2), "title": NEAR_TITLE + "。",
                    "included": False, "similar_id": existing.id, "similar_title": NEAR_TITLE,
                    "similar_score": flag["similar_score"]}
    assert 90 <= flag["similar_score"] < 100
    assert counts(session)["Patent"] == before["Patent"] + 1
    assert session.scalar(select(Patent.id).where(Patent.app_no == app_no(2019, "1", 2))) is None


def test_near_duplicate_row_the_user_included_is_imported(session, university, tmp_path):
    existing = make_patent(session, university, title=NEAR_TITLE, abstract=NEAR_ABSTRACT)
    summary = import_patents(session, near_duplicate_file(tmp_path), university,
                             include_rows=frozenset({3}))
    assert summary.counts["new"] == 2 and summary.counts["near_duplicate"] == 0
    assert summary.near_duplicates[0]["included"] is True
    assert warned_rows(summary) == {3: [f"与已有专利 #{existing.id} 高度相似，按你的选择仍作为新专利导入"]}
    assert patent_by_app_no(session, app_no(2019, "1", 2)).title == NEAR_TITLE + "。"


def test_near_identical_patent_of_another_owner_is_not_flagged(
        session, university, other_university, tmp_path):
    make_patent(session, other_university, title=NEAR_TITLE, abstract=NEAR_ABSTRACT)
    summary = import_patents(session, near_duplicate_file(tmp_path), university)
    assert summary.counts["new"] == 2 and summary.near_duplicates == []


def test_same_title_with_a_different_abstract_is_not_a_near_duplicate(session, university, tmp_path):
    make_patent(session, university, title=NEAR_TITLE, abstract="本发明涉及一种完全不同的农业灌溉控制系统与方法。")
    summary = import_patents(session, near_duplicate_file(tmp_path), university)
    assert summary.counts["new"] == 2 and summary.near_duplicates == []
