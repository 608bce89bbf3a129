"""Importing the technical needs of one enterprise."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matchmaker.catalog.organizations import link_station_client
from matchmaker.imports.files import FileProblem
from matchmaker.models import Job, Need, OrgKind
from tests.factories import make_need, make_org, make_user
from tests.imports.helpers import (FORMULA, TODAY, counts, import_needs, rejected_rows,
                                   warned_rows, write_csv, write_xlsx)

HEADER = ["需求名称", "需求描述", "所属行业", "所在地区", "预算上限（万元）", "合作方式", "有效期至", "需求编号"]
ROWS = [HEADER,
        ["提高锂电池循环寿命", "正极材料循环寿命不足，希望引进包覆技术。", "新能源汽车", "乌鲁木齐市", "500",
         "许可、转让", "2024-12-31", "XQ-001"],
        ["降低棉花加工能耗", "轧花环节能耗高。", "轻工业", "", "50", "合作开发", "", ""]]


def needs_by_title(session) -> dict[str, Need]:
    return {n.title: n for n in session.scalars(select(Need))}


@pytest.mark.parametrize("name", ["n.csv", "n.xlsx"])
def test_needs_are_imported_for_the_enterprise(session, enterprise, tmp_path, name):
    path = (write_xlsx if name.endswith(".xlsx") else write_csv)(tmp_path / name, ROWS)
    summary = import_needs(session, path, enterprise)
    assert summary.mapping == [(h, h) for h in HEADER]
    assert summary.counts["new"] == 2 and summary.total == 2
    assert warned_rows(summary) == {3: ["所属行业“轻工业”不在列表中，已记为“其他”"]}
    needs = needs_by_title(session)
    battery, cotton = needs["提高锂电池循环寿命"], needs["降低棉花加工能耗"]
    assert (battery.enterprise_id, battery.industry, battery.region, battery.budget_max_wan,
            battery.wanted_forms, battery.valid_until, battery.source_id) == (
        enterprise.id, "新能源", "乌鲁木齐市", 500, ["licence", "transfer"], date(2024, 12, 31), "XQ-001")
    assert (cotton.industry, cotton.region, cotton.wanted_forms, cotton.valid_until,
            cotton.source_id) == ("其他", "克拉玛依市", ["joint"], date(2024, 11, 28), None)
    assert (battery.posted_by_id, battery.on_behalf_station_id) == (None, None)
    # each new open need queues its own matching job
    assert sorted(j.payload["need_id"] for j in session.scalars(select(Job))) == \
        sorted(n.id for n in needs.values())


def test_reimport_is_idempotent_and_updates_by_number_else_title(session, enterprise, tmp_path):
    import_needs(session, write_csv(tmp_path / "n.csv", ROWS), enterprise)
    after_first = counts(session)
    again = import_needs(session, write_csv(tmp_path / "n.csv", ROWS), enterprise)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0, "near_duplicate": 0}
    assert counts(session) == after_first

    modified = [HEADER,
                ["提高锂电池循环寿命（修订）", "", "新能源", "乌鲁木齐市", "800", "许可", "", "XQ-001"],
                ["降低棉花加工能耗", "轧花环节能耗高，希望引进节能技术。", "", "", "", "", "", ""]]
    summary = import_needs(session, write_csv(tmp_path / "n2.csv", modified), enterprise)
    assert summary.counts == {"new": 0, "updated": 2, "unchanged": 0, "rejected": 0, "near_duplicate": 0}
    assert [(c["row"], c["key"], c["changes"]) for c in summary.changes] == [
        (2, "XQ-001", [["需求名称", "提高锂电池循环寿命", "提高锂电池循环寿命（修订）"],
                       ["预算上限（万元）", "500", "800"], ["合作方式", "许可；转让", "许可"]]),
        (3, "降低棉花加工能耗", [["需求描述", "轧花环节能耗高。", "轧花环节能耗高，希望引进节能技术。"]]),
    ]
    session.expire_all()
    needs = needs_by_title(session)
    assert set(needs) == {"提高锂电池循环寿命（修订）", "降低棉花加工能耗"}
    battery = needs["提高锂电池循环寿命（修订）"]
    # empty cells keep what was there
    assert battery.description == "正极材料循环寿命不足，希望引进包覆技术。"
    assert battery.valid_until == date(2024, 12, 31)
    assert needs["降低棉花加工能耗"].wanted_forms == ["joint"]
    assert needs["降低棉花加工能耗"].budget_max_wan == 50


def test_station_broker_import_is_recorded_on_behalf_of_the_station(session, enterprise, tmp_path):
    station = make_org(session, OrgKind.STATION, name="乌鲁木齐创新驿站")
    link_station_client(session, station, enterprise)
    broker = make_user(session, station)
    own = make_user(session, enterprise)
    import_needs(session, write_csv(tmp_path / "n.csv", ROWS[:2]), enterprise, actor=broker)
    import_needs(session, write_csv(tmp_path / "m.csv", [HEADER, ["企业自己的需求", "描述", "", "", "",
                                                                   "许可", "", ""]]),
                 enterprise, actor=own)
    needs = needs_by_title(session)
    brokered, direct = needs["提高锂电池循环寿命"], needs["企业自己的需求"]
    assert (brokered.posted_by_id, brokered.on_behalf_station_id) == (broker.id, station.id)
    assert (direct.posted_by_id, direct.on_behalf_station_id) == (own.id, None)


def test_a_station_cannot_be_the_target_of_needs(session, tmp_path):
    station = make_org(session, OrgKind.STATION)
    before = counts(session)
    with pytest.raises(FileProblem, match="技术需求只能导入到一家企业名下"):
        import_needs(session, write_csv(tmp_path / "n.csv", ROWS), station)
    assert counts(session) == before


def test_invalid_need_rows_are_rejected_with_their_row_numbers(session, enterprise, tmp_path):
    other = make_org(session, OrgKind.ENTERPRISE)
    make_need(session, other, title="别家的需求", source_id="XQ-900")
    rows = [["2024 年企业技术需求汇总"], HEADER,
            ["一", "标题太短", "", "", "", "许可", "", ""],
            ["预算写错的需求", "", "", "", "五百万", "许可", "", ""],
            ["已经过期的需求", "", "", "", "", "许可", "2024-01-01", ""],
            ["合作方式不明的需求", "", "", "", "", "赠送", "", ""],
            ["编号属于别家的需求", "", "", "", "", "许可", "", "XQ-900"],
            ["公式需求", "", "", "", "", FORMULA, "", ""],
            ["正常的需求", "", "", "", "", "许可", "", "XQ-002"],
            ["重复编号的需求", "", "", "", "", "许可", "", "XQ-002"],
            ["正常的需求", "", "", "", "", "许可", "", ""],
            ["有效期太长的需求", "", "", "", "", "", "2030-01-01", ""]]
    before = counts(session)["Need"]
    summary = import_needs(session, write_csv(tmp_path / "n.csv", rows), enterprise)
    assert rejected_rows(summary) == {
        3: ["需求标题至少需要 2 个字符"],
        4: ["预算上限须为整数（单位：万元）"],
        5: ["有效期不能早于今天"],
        6: ["合作方式“赠送”无法识别，可填：许可、转让、合作开发"],
        7: ["需求编号 XQ-900 已被其他企业的需求使用"],
        8: [f"“合作方式”列的内容像公式（{FORMULA[:20]}），公式不会被执行，请改为纯文本"],
        10: ["与第 9 行的需求编号相同（文件内重复）"],
        12: ["有效期最长三年"],
    }
    # a row with a number and one without are different needs even with the same title
    assert summary.counts["new"] == 2
    assert counts(session)["Need"] == before + 2


def test_duplicate_titles_without_numbers_name_the_first_row(session, enterprise, tmp_path):
    rows = [HEADER, ["同名需求", "一", "", "", "", "", "", ""], ["同名需求", "二", "", "", "", "", "", ""]]
    summary = import_needs(session, write_csv(tmp_path / "n.csv", rows), enterprise)
    assert rejected_rows(summary) == {3: ["与第 2 行的需求名称相同（文件内重复）"]}
    assert [n.description for n in session.scalars(select(Need))] == ["一"]


def test_traditional_text_and_free_region_wording(session, enterprise, tmp_path):
    rows = [HEADER, ["提高鋰電池循環壽命", "正極材料循環壽命不足。", "新材料產業", "新疆", "", "", "", ""]]
    summary = import_needs(session, write_csv(tmp_path / "n.csv", rows), enterprise)
    assert warned_rows(summary) == {2: ["所在地区“新疆”不在列表中，已记为“克拉玛依市”", "已将繁体字转换为简体"]}
    need = session.scalars(select(Need)).one()
    assert (need.title, need.description, need.industry, need.region, need.wanted_forms) == (
        "提高锂电池循环寿命", "正极材料循环寿命不足。", "新材料", "克拉玛依市", ["licence"])
    assert need.valid_until == TODAY.replace(month=11, day=28)
