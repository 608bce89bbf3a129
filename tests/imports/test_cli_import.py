"""`matchmaker import patents|needs FILE` run as the real console script."""
from __future__ import annotations

import csv

from matchmaker.models import Need, OrgKind, Patent
from tests.factories import make_org
from tests.imports.helpers import FORMULA, app_no, with_wrong_check, write_csv, write_xlsx
from tests.test_cli import db, env, lines, pytestmark, run  # noqa: F401  (fixtures, skip mark)

GOOD, OTHER = app_no(2017, "1", 1), app_no(2017, "1", 2)
BAD = with_wrong_check(app_no(2017, "1", 3))
PATENTS = [["新疆大学专利清单"],
           ["申请号", "专利名称", "法律状态", "申请日"],
           [GOOD, "一种锂电池正极材料", "有效", "2017-08-01"],
           [OTHER, "一种光伏清洗装置", "有效", "2017-09-01"]]
NEEDS = [["需求名称", "需求描述", "所属行业", "合作方式", "需求编号"],
         ["提高锂电池循环寿命", "正极材料循环寿命不足。", "新能源", "许可", "XQ-1"],
         ["降低棉花加工能耗", "轧花能耗高。", "纺织服装", "合作开发", "XQ-2"]]


def org(session, kind: OrgKind, name: str):
    made = make_org(session, kind, name=name)
    session.commit()
    return made


def test_patents_csv_prints_counts_and_exits_0_then_reimport_is_unchanged(run, db, session, tmp_path):
    org(session, OrgKind.UNIVERSITY, "新疆大学")
    path = write_csv(tmp_path / "patents.csv", PATENTS)
    first = run("import", "patents", str(path), "--owner", "新疆大学")
    assert first.returncode == 0, first.stderr
    assert "共 2 行：已新增 2，已更新 0，无变化 0，拒绝 0，疑似重复未导入 0" in first.stdout
    assert "列对应：申请号→申请号，专利名称→专利名称，法律状态→法律状态，申请日→申请日" in first.stdout
    assert db(Patent) == 2

    again = run("import", "patents", str(path), "--owner", "新疆大学")
    assert again.returncode == 0, again.stderr
    assert "共 2 行：已新增 0，已更新 0，无变化 2，拒绝 0" in again.stdout
    assert db(Patent) == 2


def test_patents_xlsx_with_a_rejected_row_exits_1_and_keeps_the_good_rows(run, db, session, tmp_path):
    owner = org(session, OrgKind.UNIVERSITY, "新疆大学")
    path = write_xlsx(tmp_path / "patents.xlsx", PATENTS + [[BAD, "一种校验位错误的方法", "有效", "2017-10-01"]])
    result = run("import", "patents", str(path), "--owner", str(owner.id), "--draft")
    assert result.returncode == 1
    assert "共 3 行：已新增 2，已更新 0，无变化 0，拒绝 1" in result.stdout
    assert f"第 5 行 {BAD}：申请号校验位错误" in result.stderr
    assert db(Patent) == 2
    assert db(Patent, Patent.listing_state == "draft") == 2


def test_dry_run_writes_nothing_and_report_lists_rejected_rows(run, db, session, tmp_path):
    org(session, OrgKind.UNIVERSITY, "新疆大学")
    path = write_csv(tmp_path / "patents.csv", PATENTS + [[BAD, FORMULA, "有效", "2017-10-01"]])
    report = tmp_path / "out" / "rejected.csv"
    report.parent.mkdir()
    result = run("import", "patents", str(path), "--owner", "新疆大学", "--dry-run",
                 "--report", str(report))
    assert result.returncode == 1
    assert "共 3 行：将新增 2，将更新 0，无变化 0，拒绝 1，疑似重复未导入 0（试运行，未写入）" in result.stdout
    assert db(Patent) == 0
    with open(report, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["行号", "拒绝原因", "申请号", "专利名称", "法律状态", "申请日"]
    assert rows[1][0] == "5" and rows[1][2:] == [BAD, "'" + FORMULA, "有效", "2017-10-01"]
    assert "公式不会被执行" in rows[1][1]
    assert len(rows) == 2


def test_needs_csv_and_xlsx_for_an_enterprise(run, db, session, tmp_path):
    enterprise = org(session, OrgKind.ENTERPRISE, "天山电池有限公司")
    result = run("import", "needs", str(write_csv(tmp_path / "needs.csv", NEEDS, "gbk")),
                 "--enterprise", "天山电池有限公司", "--encoding", "gb18030")
    assert result.returncode == 0, result.stderr
    assert "共 2 行：已新增 2，已更新 0，无变化 0，拒绝 0" in result.stdout
    assert db(Need, Need.enterprise_id == enterprise.id) == 2

    changed = NEEDS[:2] + [["降低棉花加工能耗", "轧花能耗高。", "纺织服装", "赠送", "XQ-2"],
                           ["节约灌溉用水", "滴灌带易堵。", "节水农业", "许可", "XQ-3"]]
    again = run("import", "needs", str(write_xlsx(tmp_path / "needs.xlsx", changed)),
                "--enterprise", str(enterprise.id))
    assert again.returncode == 1
    assert "共 3 行：已新增 1，已更新 0，无变化 1，拒绝 1" in again.stdout
    assert "第 3 行 XQ-2：合作方式“赠送”无法识别" in again.stderr
    assert db(Need) == 3


def test_needs_into_a_university_and_unreadable_files_fail_with_one_message(run, db, session, tmp_path):
    org(session, OrgKind.UNIVERSITY, "新疆大学")
    refused = run("import", "needs", str(write_csv(tmp_path / "needs.csv", NEEDS)),
                  "--enterprise", "新疆大学")
    assert refused.returncode == 1
    assert lines(refused.stderr)[-1] == "错误：技术需求只能导入到一家企业名下"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run("import", "patents", str(empty), "--owner", "新疆大学")
    assert result.returncode == 1
    assert lines(result.stderr)[-1] == "错误：文件是空的"
    assert "Traceback" not in refused.stderr + result.stderr
    assert db(Need) == 0 and db(Patent) == 0
