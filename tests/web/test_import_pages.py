"""Bulk import pages: upload → preview → confirm or cancel, through the real forms (CSRF on).

Nothing may be written before the user confirms; confirming writes exactly what the preview
promised, once; files that cannot be read re-render the upload page and leave no batch behind.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from matchmaker.catalog.numbers import app_no_check_char
from matchmaker.models import (ImportBatch, ImportState, LegalStatus, ListingState, Need, OrgKind,
                               Patent)
from tests.factories import make_patent
from tests.web.helpers import csrf_token, login, post_form, text

PATENT_HEADERS = ["申请号", "专利名称", "摘要", "法律状态", "申请日"]
NEED_HEADERS = ["需求编号", "需求名称", "需求描述", "所属行业", "合作方式", "有效期至"]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- building files -----------------------------------------------------------------------------

def app_no(serial: int, year: int = 2018, type_digit: str = "1") -> str:
    """A valid application number (the check character computed, never hard-coded)."""
    body = f"{year}{type_digit}{serial:07d}"
    return f"{body}.{app_no_check_char(body)}"


def bad_check_app_no(serial: int, year: int = 2018) -> str:
    """An application number whose check character is wrong."""
    body = f"{year}1{serial:07d}"
    good = app_no_check_char(body)
    return f"{body}.{'0' if good != '0' else '1'}"


def patent_row(serial: int, title: str, abstract: str | None = None, status: str = "有效",
               filed: str = "2018-03-01") -> list:
    return [app_no(serial), title, abstract or f"{title}。本发明涉及一种新的工艺，提高了效率。", status, filed]


VALID_ROWS = [
    patent_row(101, "一种棉花秸秆制备生物质颗粒燃料的方法"),
    patent_row(102, "基于物联网的滴灌系统智能控制装置"),
    patent_row(103, "一种耐盐碱苜蓿的组织培养快繁方法"),
]


def csv_bytes(headers: list, rows: list[list], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(headers: list, rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- driving the pages ----------------------------------------------------------------------------

def upload(client, url: str, data: bytes, filename: str, **fields):
    """Submit the upload form of `url` like a browser does (CSRF token from the page)."""
    token = csrf_token(text(client.get(url)))
    form = {"csrf_token": token, "encoding": "auto", "list_valid": "y", **fields}
    if filename is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post(url, data=form, content_type="multipart/form-data")


def upload_patents(client, data: bytes, filename: str = "专利清单.csv", **fields) -> int:
    """Upload a patent file that must be accepted for preview; returns the batch id."""
    response = upload(client, "/imports/patents", data, filename, **fields)
    return batch_id_of(response)


def batch_id_of(response) -> int:
    assert response.status_code == 302, (response.status_code, text(response)[:2000])
    match = re.fullmatch(r"/imports/batch/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def confirm(client, batch_id: int, include: list[int] | None = None):
    page = text(client.get(f"/imports/batch/{batch_id}"))
    return client.post(f"/imports/batch/{batch_id}/confirm",
                       data={"csrf_token": csrf_token(page), "include": [str(i) for i in include or []]})


def counts(page: str) -> dict[str, int]:
    found = dict(re.findall(r'data-testid="count-(\w+)"><span class="stat-value">(\d+)</span>', page))
    assert set(found) == {"new", "updated", "unchanged", "rejected", "near_duplicate"}, found
    return {k: int(v) for k, v in found.items()}


def patent_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Patent.id)))


def need_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Need.id)))


def batch_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(ImportBatch.id)))


def snapshot(session) -> list[tuple]:
    """Every patent as comparable values (updated_at included: a no-op import must not touch it)."""
    session.expire_all()
    return [tuple(p) for p in session.execute(
        select(Patent.id, Patent.app_no, Patent.title, Patent.abstract, Patent.legal_status,
               Patent.listing_state, Patent.filing_date, Patent.updated_at).order_by(Patent.id))]


def upload_dir_files(settings) -> list[str]:
    folder = settings.instance_dir / "uploads" / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def file_error(page: str) -> str:
    match = re.search(r'data-testid="error-file">(.*?)</small>', page, re.S)
    assert match, "no error next to the file field"
    return match.group(1)


# -- fixtures -----------------------------------------------------------------------------------

@pytest.fixture
def uni(world):
    """A university and its user, logged in by the tests that need it."""
    return world.member(OrgKind.UNIVERSITY, name="新疆农业大学", credit_code=None)


@pytest.fixture
def other_uni(world):
    return world.member(OrgKind.UNIVERSITY, name="石河子大学", credit_code=None)


@pytest.fixture
def ent(world):
    return world.member(OrgKind.ENTERPRISE, name="阿克苏甲纺织有限公司", region="阿克苏地区")


@pytest.fixture
def ent_b(world):
    return world.member(OrgKind.ENTERPRISE, name="哈密乙能源有限公司")


@pytest.fixture
def station(world, ent):
    org, broker = world.member(OrgKind.STATION, name="阿克苏创新驿站")
    world.serve(org, ent[0])
    return org, broker


def need_rows() -> list[list]:
    until = (date.today() + timedelta(days=90)).isoformat()
    return [
        ["XQ-001", "棉花秸秆综合利用技术", "每年产生大量棉秆，希望引进制板或制肥技术。", "农产品加工", "许可、合作开发", until],
        ["XQ-002", "纺织印染废水深度处理", "印染废水 COD 偏高，希望找到低成本的深度处理工艺。", "节能环保", "转让", until],
    ]


# -- upload and preview -------------------------------------------------------------------------

@pytest.mark.parametrize("encoding,display", [("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK")])
def test_csv_upload_previews_without_writing(client, session, uni, encoding, display):
    rows = VALID_ROWS + [
        [bad_check_app_no(104), "申请号校验位错误的专利", "摘要", "有效", "2018-03-01"],
        [app_no(105), "申请日写错的专利", "摘要", "有效", "2018年13月45日"],
    ]
    login(client, uni[1].login)
    response = upload(client, "/imports/patents", csv_bytes(PATENT_HEADERS, rows, encoding), "导出.csv")
    batch_id = batch_id_of(response)

    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page) == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 2, "near_duplicate": 0}
    assert "导入预览" in page and "待确认" in page and f"CSV（{display}）" in page
    # the column mapping: every header of the file and what it feeds
    mapping = re.search(r'data-testid="column-mapping">(.*?)</table>', page, re.S).group(1)
    for header in PATENT_HEADERS:
        assert f"<td>{header}</td>" in mapping
    assert "<td>申请日</td><td>申请日</td>" in mapping and "<td>摘要</td><td>摘要</td>" in mapping
    # the first problems, with the row numbers of the file (header is row 1)
    assert 'data-testid="rejected-5"' in page and "校验位" in page
    assert 'data-testid="rejected-6"' in page and "不是有效日期" in page
    assert 'id="import-confirm"' in page and "确认导入 3 行" in page
    assert 'id="download-rejections"' in page

    # nothing is written before the user confirms
    assert patent_count(session) == 0
    batch = session.get(ImportBatch, batch_id)
    assert batch.state == ImportState.PREVIEWED and batch.organization_id == uni[0].id
    assert batch.uploaded_by_id == uni[1].id and batch.filename == "导出.csv"
    assert (client.application.extensions["matchmaker"].settings.instance_dir
            / "uploads" / "imports" / batch.stored_name).exists()

    response = confirm(client, batch_id)
    assert response.status_code == 302 and response.headers["Location"] == f"/imports/batch/{batch_id}"
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert "导入完成：新增 3 条，更新 0 条" in page and 'data-testid="applied-note"' in page
    assert "导入结果" in page and 'id="import-confirm"' not in page

    session.expire_all()
    patents = session.scalars(select(Patent).order_by(Patent.app_no)).all()
    assert [p.app_no for p in patents] == [r[0] for r in VALID_ROWS]
    assert [p.title for p in patents] == [r[1] for r in VALID_ROWS]
    assert all(p.owner_id == uni[0].id and p.listing_state == ListingState.LISTED for p in patents)
    assert session.get(ImportBatch, batch_id).state == ImportState.APPLIED


def test_xlsx_upload_imports_rows_with_excel_dates(client, session, uni):
    rows = [[r[0], r[1], r[2], r[3], date(2018, 3, 1)] for r in VALID_ROWS[:2]]
    rows.append([app_no(106), "=HYPERLINK(\"http://evil.example\",\"点击\")", "摘要", "有效", date(2018, 3, 1)])
    login(client, uni[1].login)
    batch_id = upload_patents(client, xlsx_bytes(PATENT_HEADERS, rows), "专利.xlsx")

    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page) == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1, "near_duplicate": 0}
    assert "XLSX" in page and 'data-testid="rejected-4"' in page and "公式" in page
    assert patent_count(session) == 0

    assert confirm(client, batch_id).status_code == 302
    session.expire_all()
    patents = session.scalars(select(Patent).order_by(Patent.app_no)).all()
    assert [p.app_no for p in patents] == [r[0] for r in rows[:2]]
    assert all(p.filing_date == date(2018, 3, 1) for p in patents)


def test_reimporting_the_same_file_is_a_no_op_and_a_changed_file_shows_changes(client, session, uni):
    data = csv_bytes(PATENT_HEADERS, VALID_ROWS)
    login(client, uni[1].login)
    confirm(client, upload_patents(client, data))
    before = snapshot(session)
    assert len(before) == 3

    # the same file again: all unchanged, nothing to import, and importing anyway changes nothing
    batch_id = upload_patents(client, data)
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page) == {"new": 0, "updated": 0, "unchanged": 3, "rejected": 0, "near_duplicate": 0}
    assert 'data-testid="nothing-to-import"' in page and "完全一致" in page
    assert 'id="import-confirm"' not in page
    response = confirm(client, batch_id)
    assert "导入完成：新增 0 条，更新 0 条" in text(client.get(response.headers["Location"]))
    assert snapshot(session) == before

    # a changed file: one title and one legal status differ; the preview lists the changes
    changed = [list(r) for r in VALID_ROWS]
    changed[0][1] = "一种棉花秸秆制备高密度生物质颗粒燃料的方法"
    changed[2][3] = "失效-未缴年费终止"
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, changed))
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page) == {"new": 0, "updated": 2, "unchanged": 1, "rejected": 0, "near_duplicate": 0}
    first = re.search(r'<details data-testid="change-2">(.*?)</details>', page, re.S).group(1)
    assert "<td>专利名称</td><td>一种棉花秸秆制备生物质颗粒燃料的方法</td><td>一种棉花秸秆制备高密度生物质颗粒燃料的方法</td>" in first
    third = re.search(r'<details data-testid="change-4">(.*?)</details>', page, re.S).group(1)
    assert "<td>法律状态</td><td>有效</td><td>失效</td>" in third
    assert "<td>上架状态</td><td>已上架</td><td>已归档</td>" in third
    assert snapshot(session) == before   # still nothing written

    confirm(client, batch_id)
    session.expire_all()
    by_no = {p.app_no: p for p in session.scalars(select(Patent))}
    assert by_no[changed[0][0]].title == changed[0][1]
    assert by_no[changed[2][0]].legal_status == LegalStatus.LAPSED
    assert by_no[changed[2][0]].listing_state == ListingState.ARCHIVED
    assert by_no[changed[1][0]].updated_at == before[1][-1]   # the unchanged row was not touched
    assert patent_count(session) == 3


def test_near_duplicates_are_listed_and_only_ticked_ones_imported(client, session, uni):
    abstract = "本发明公开了一种以棉花秸秆为原料制备高强度纤维板的方法，包括粉碎、热压和固化步骤。"
    abstract2 = "本发明公开了一种利用光伏板清洗机器人对光伏电站进行自动清洁的系统和方法。"
    first = make_patent(session, uni[0], title="一种棉花秸秆高强度纤维板的制备方法", abstract=abstract)
    second = make_patent(session, uni[0], title="一种光伏电站自动清洗机器人系统", abstract=abstract2)
    session.commit()
    rows = [
        patent_row(201, "一种棉花秸秆高强度纤维板的制备方法。", abstract),      # row 2: near first
        patent_row(202, "一种光伏电站自动清洗机器人系统", abstract2),           # row 3: near second
        VALID_ROWS[0],                                                           # row 4: new
    ]
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, rows))
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page) == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 0, "near_duplicate": 2}
    section = re.search(r'<section class="card" id="near-duplicates">(.*?)</section>', page, re.S).group(1)
    for row, similar in ((2, first), (3, second)):
        assert f'data-testid="near-duplicate-{row}"' in section
        assert f'name="include" value="{row}" id="include-{row}"' in section
        assert f"/patents/{similar.id}" in section
    assert 'id="import-confirm"' in page

    confirm(client, batch_id, include=[3])
    session.expire_all()
    imported = set(session.scalars(select(Patent.app_no).where(Patent.app_no.is_not(None))))
    assert imported == {app_no(202), VALID_ROWS[0][0]}   # row 2 was not ticked
    assert patent_count(session) == 4


def test_double_confirm_imports_once(client, session, uni):
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS))
    token = csrf_token(text(client.get(f"/imports/batch/{batch_id}")))
    first = client.post(f"/imports/batch/{batch_id}/confirm", data={"csrf_token": token})
    second = client.post(f"/imports/batch/{batch_id}/confirm", data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    page = text(client.get(second.headers["Location"]))
    # the first submission did import: the second must not claim that nothing was written
    assert 'data-testid="flash-warning">这个文件已经导入，请勿重复提交</div>' in page
    assert "没有写入任何数据" not in page
    assert '<strong data-testid="batch-state">已导入</strong>' in page
    assert patent_count(session) == 3


def test_cancel_and_a_cancelled_batch_cannot_be_confirmed(client, session, uni, settings):
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS))
    page = text(client.get(f"/imports/batch/{batch_id}"))
    token = csrf_token(page)
    assert 'id="import-cancel"' in page

    response = client.post(f"/imports/batch/{batch_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/imports/patents"
    page = text(client.get("/imports/patents"))
    assert "已取消这次导入，没有写入任何数据" in page
    assert "已取消" in re.search(r'data-testid="import-history">(.*?)</table>', page, re.S).group(1)

    response = client.post(f"/imports/batch/{batch_id}/confirm", data={"csrf_token": token})
    page = text(client.get(response.headers["Location"]))
    assert "这次导入已经取消，请重新上传文件" in page
    assert 'id="import-confirm"' not in page and 'id="import-cancel"' not in page
    session.expire_all()
    batch = session.get(ImportBatch, batch_id)
    assert batch.state == ImportState.CANCELLED
    uploads = Path(settings.instance_dir) / "uploads" / "imports"
    assert not (uploads / batch.stored_name).exists(), "a cancelled upload is not kept"
    assert patent_count(session) == 0

    # cancelling twice is refused with a message, not an error page
    response = client.post(f"/imports/batch/{batch_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert "只有待确认的导入可以取消" in text(client.get(response.headers["Location"]))


def test_rejection_report_is_a_csv_attachment_with_formulas_neutralized(client, session, uni):
    rows = [
        VALID_ROWS[0],
        [app_no(301), "=cmd|' /C calc'!A0", "摘要", "有效", "2018-03-01"],
        [bad_check_app_no(302), "-2+3 校验位错误", "@SUM(1+1)", "有效", "2018-03-01"],
    ]
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, rows))
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page)["rejected"] == 2
    assert f'href="/imports/batch/{batch_id}/rejections.csv"' in page

    response = client.get(f"/imports/batch/{batch_id}/rejections.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "inline" not in disposition
    assert f"{batch_id}.csv" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == ["行号", "拒绝原因", *PATENT_HEADERS]
    assert [r[0] for r in table[1:]] == ["3", "4"]
    formula_row, check_row = table[1], table[2]
    assert formula_row[2] == rows[1][0]
    assert formula_row[3] == "'=cmd|' /C calc'!A0"          # neutralized, not dropped
    assert "公式" in formula_row[1]
    assert check_row[2] == rows[2][0] and "“摘要”列的内容像公式" in check_row[1]
    assert check_row[3] == "'-2+3 校验位错误" and check_row[4] == "'@SUM(1+1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)


# -- files that cannot be imported --------------------------------------------------------------

BAD_FILES = [
    pytest.param(b"", "empty.csv", "文件是空的", id="empty"),
    pytest.param(b"\x00\x01binary\xff\xfe" * 50, "data.xlsx", "不是有效的 Excel 工作簿", id="renamed-binary"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.xlsx", "Excel 97-2003", id="xls-magic-as-xlsx"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.xls", "另存为", id="xls"),
    pytest.param(b"%PDF-1.4 hello", "scan.pdf", "请上传 .csv、.xlsx 或 .jsonl 文件", id="unknown-extension"),
    pytest.param(b"\x00\x00\x00binary", "list.csv", "二进制内容", id="binary-csv"),
    pytest.param("甲,乙,丙\n1,2,3\n".encode(), "other.csv", "没有识别出任何列", id="no-known-columns"),
]


@pytest.mark.parametrize("data,filename,message", BAD_FILES)
def test_unreadable_files_rerender_the_form_and_create_no_batch(client, session, settings, uni,
                                                                data, filename, message):
    login(client, uni[1].login)
    response = upload(client, "/imports/patents", data, filename)
    assert response.status_code == 200
    page = text(response)
    assert 'id="import-form"' in page and 'data-testid="form-errors"' in page
    assert message in file_error(page)
    assert batch_count(session) == 0
    assert upload_dir_files(settings) == []     # neither the upload nor a report is kept


def test_no_file_chosen(client, session, uni):
    login(client, uni[1].login)
    response = upload(client, "/imports/patents", b"", None)
    assert response.status_code == 200
    assert file_error(text(response)) == "请选择要上传的文件"
    # an empty file input (the browser sends an empty filename) is the same
    token = csrf_token(text(client.get("/imports/patents")))
    response = client.post("/imports/patents", data={"csrf_token": token, "file": (io.BytesIO(b""), "")},
                           content_type="multipart/form-data")
    assert file_error(text(response)) == "请选择要上传的文件"
    assert batch_count(session) == 0


def test_upload_requires_the_csrf_token(client, session, uni):
    login(client, uni[1].login)
    response = client.post("/imports/patents", data={
        "file": (io.BytesIO(csv_bytes(PATENT_HEADERS, VALID_ROWS)), "专利.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "缺少安全令牌" in text(response)
    assert batch_count(session) == 0

    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS))
    assert client.post(f"/imports/batch/{batch_id}/confirm").status_code == 400
    assert client.post(f"/imports/batch/{batch_id}/cancel").status_code == 400
    assert patent_count(session) == 0
    session.expire_all()
    assert session.get(ImportBatch, batch_id).state == ImportState.PREVIEWED


@pytest.fixture
def small_app(settings):
    """The app with a 1 MB upload limit."""
    from matchmaker.web import create_app
    application = create_app(dataclasses.replace(settings, max_upload_mb=1))
    yield application
    application.extensions["matchmaker"].dispose()


def test_upload_over_the_size_limit_gets_413_in_chinese(small_app, session, uni):
    client = small_app.test_client()
    login(client, uni[1].login)
    page = text(client.get("/imports/patents"))
    assert "最大 1 MB" in page
    big = csv_bytes(PATENT_HEADERS, VALID_ROWS) + b"," * (1536 * 1024)
    response = upload(client, "/imports/patents", big, "big.csv")
    assert response.status_code == 413
    assert "上传的文件太大（上限 1 MB）" in text(response)
    assert batch_count(session) == 0


def test_file_just_over_the_limit_is_refused_in_the_form(small_app, session, uni):
    """Within the request allowance but over the file limit: the form says so, nothing kept."""
    client = small_app.test_client()
    login(client, uni[1].login)
    big = csv_bytes(PATENT_HEADERS, VALID_ROWS) + b"," * (1024 * 1024 + 50 * 1024)
    response = upload(client, "/imports/patents", big, "big.csv")
    assert response.status_code == 200
    assert "文件超过 1 MB 的上限" in text(response)
    assert batch_count(session) == 0


# -- templates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_and_reupload_as_header_only(client, session, uni, ent, fmt):
    for user, kind, first_header in ((uni[1], "patents", "申请号"), (ent[1], "needs", "需求名称")):
        login(client, user.login)
        upload_page = text(client.get(f"/imports/{kind}"))
        assert f'href="/imports/template/{kind}.{fmt}"' in upload_page
        response = client.get(f"/imports/template/{kind}.{fmt}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        data = response.get_data()
        if fmt == "csv":
            assert response.mimetype == "text/csv" and data.startswith(b"\xef\xbb\xbf")
            headers = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        else:
            assert response.mimetype == XLSX_MIME
            wb = load_workbook(io.BytesIO(data), read_only=True)
            headers = [c.value for c in next(wb.worksheets[0].iter_rows())]
            wb.close()
        assert headers[0] == first_header

        batch_id = batch_id_of(upload(client, f"/imports/{kind}", data, f"template.{fmt}"))
        page = text(client.get(f"/imports/batch/{batch_id}"))
        assert counts(page) == {"new": 0, "updated": 0, "unchanged": 0, "rejected": 0, "near_duplicate": 0}
        assert 'data-testid="nothing-to-import"' in page
        mapping = re.search(r'data-testid="column-mapping">(.*?)</table>', page, re.S).group(1)
        assert "（忽略）" not in mapping and f"<td>{first_header}</td><td>{first_header}</td>" in mapping
        client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert patent_count(session) == 0 and need_count(session) == 0


# -- permissions --------------------------------------------------------------------------------

def test_who_may_use_which_import(client, uni, ent, station):
    assert client.get("/imports/patents").status_code == 302      # anonymous: to the login page
    assert "/login" in client.get("/imports/needs").headers["Location"]
    assert client.get("/imports/template/patents.csv").status_code == 302

    for user in (station[1],):
        login(client, user.login)
        assert client.get("/imports/patents").status_code == 403
        token = csrf_token(text(client.get("/imports/needs")))
        response = client.post("/imports/patents", data={
            "csrf_token": token, "file": (io.BytesIO(csv_bytes(PATENT_HEADERS, VALID_ROWS)), "p.csv")},
            content_type="multipart/form-data")
        assert response.status_code == 403
        client.post("/logout", data={"csrf_token": token})

    login(client, uni[1].login)
    assert client.get("/imports/needs").status_code == 403
    page = text(client.get("/imports/patents"))
    assert 'id="nav-import"' in page and 'href="/imports/patents"' in page


def test_an_enterprise_imports_its_own_patents_as_unlisted_drafts(client, session, ent):
    login(client, ent[1].login)
    page = text(client.get("/imports/patents"))
    assert 'id="own-patents-note"' in page and "list_valid" not in page
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS))
    assert confirm(client, batch_id).status_code == 302
    session.expire_all()
    owned = session.scalars(select(Patent)).all()
    assert owned and {p.owner_id for p in owned} == {ent[0].id}
    assert {p.listing_state for p in owned} <= {ListingState.DRAFT, ListingState.ARCHIVED}
    assert ListingState.LISTED not in {p.listing_state for p in owned}


def test_an_agency_imports_only_for_an_enterprise_in_its_custody(client, session, world, ent, ent_b):
    from matchmaker.custody import agreements as ag
    from matchmaker import clock
    agency, agent = world.member(OrgKind.AGENCY, name="天山知识产权代理事务所")
    today = clock.today()
    agreement = ag.propose(session, agent, ent[0].id, ag.AgreementInput(
        services=["annuity"], start_date=today.isoformat(),
        end_date=(today + timedelta(days=365)).isoformat(), fee_wan="1"))
    ag.respond(session, ent[1], agreement.id, True, version=agreement.version)
    session.commit()
    login(client, agent.login)
    page = text(client.get("/imports/patents"))
    assert f'value="{ent[0].id}"' in page and f'value="{ent_b[0].id}"' not in page
    refused = upload(client, "/imports/patents", csv_bytes(PATENT_HEADERS, VALID_ROWS), "p.csv",
                     enterprise_id=str(ent_b[0].id))
    assert refused.status_code == 200 and batch_count(session) == 0
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS), enterprise_id=str(ent[0].id))
    assert confirm(client, batch_id).status_code == 302
    session.expire_all()
    owned = session.scalars(select(Patent)).all()
    assert owned and {p.owner_id for p in owned} == {ent[0].id}
    assert ListingState.LISTED not in {p.listing_state for p in owned}


def test_another_organizations_batch_is_not_found(client, session, uni, other_uni):
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS + [
        [bad_check_app_no(9), "坏行", "摘要", "有效", "2018-03-01"]]))
    assert client.get(f"/imports/batch/{batch_id}/rejections.csv").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(text(client.get("/")))})

    login(client, other_uni[1].login)
    token = csrf_token(text(client.get("/imports/patents")))
    assert client.get(f"/imports/batch/{batch_id}").status_code == 404
    assert client.get(f"/imports/batch/{batch_id}/rejections.csv").status_code == 404
    assert client.post(f"/imports/batch/{batch_id}/confirm", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/imports/batch/{batch_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert "新疆农业大学" not in text(client.get("/imports/patents"))   # not in the history either
    session.expire_all()
    assert session.get(ImportBatch, batch_id).state == ImportState.PREVIEWED
    assert patent_count(session) == 0


# -- needs ------------------------------------------------------------------------------------

def test_enterprise_imports_its_own_needs(client, session, ent):
    login(client, ent[1].login)
    page = text(client.get("/imports/needs"))
    assert 'id="import-enterprise-static"' in page and 'name="enterprise_id"' not in page
    batch_id = batch_id_of(upload(client, "/imports/needs", csv_bytes(NEED_HEADERS, need_rows()), "需求.csv"))
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page)["new"] == 2 and "阿克苏甲纺织有限公司" in page
    assert need_count(session) == 0
    confirm(client, batch_id)
    needs = session.scalars(select(Need).order_by(Need.source_id)).all()
    assert [n.source_id for n in needs] == ["XQ-001", "XQ-002"]
    assert all(n.enterprise_id == ent[0].id and n.posted_by_id == ent[1].id for n in needs)
    assert all(n.on_behalf_station_id is None for n in needs)
    assert needs[0].wanted_forms == ["licence", "joint"] and needs[0].region == "阿克苏地区"


def test_broker_imports_needs_for_a_client_only(client, session, settings, ent, ent_b, station):
    org, broker = station
    login(client, broker.login)
    page = text(client.get("/imports/needs"))
    assert 'name="enterprise_id"' in page and "阿克苏甲纺织有限公司" in page
    assert "哈密乙能源有限公司" not in page
    data = csv_bytes(NEED_HEADERS, need_rows())

    # an enterprise the station does not serve: refused, nothing stored
    response = upload(client, "/imports/needs", data, "需求.csv", enterprise_id=str(ent_b[0].id))
    assert response.status_code == 403
    assert "只能以本企业或所服务企业的名义办理" in text(response)
    # no enterprise chosen: the form says so next to the select
    response = upload(client, "/imports/needs", data, "需求.csv", enterprise_id="")
    assert response.status_code == 200
    assert "请选择需求所属的企业" in re.search(r'data-testid="error-enterprise_id">(.*?)</small>',
                                               text(response)).group(1)
    assert batch_count(session) == 0 and need_count(session) == 0
    assert upload_dir_files(settings) == []

    response = upload(client, "/imports/needs", data, "需求.csv", enterprise_id=str(ent[0].id))
    batch_id = batch_id_of(response)
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert "需求企业 <strong>阿克苏甲纺织有限公司</strong>" in page
    assert counts(page)["new"] == 2 and need_count(session) == 0
    confirm(client, batch_id)
    session.expire_all()
    needs = session.scalars(select(Need)).all()
    assert len(needs) == 2
    for need in needs:
        assert need.enterprise_id == ent[0].id
        assert need.on_behalf_station_id == org.id and need.posted_by_id == broker.id


# -- escaping -----------------------------------------------------------------------------------

def test_markup_in_cells_and_filename_is_escaped(client, session, uni):
    existing = make_patent(session, uni[0], app_no=app_no(401), title="一种旧的专利名称示例")
    session.commit()
    script = "<script>alert(1)</script>"
    rows = [
        [existing.app_no, script, "摘要", "有效", "2018-03-01"],          # a change shows the title
        [f"<b>{app_no(402)}</b>", "一种标签包裹申请号的专利", "摘要", "有效", "2018-03-01"],
        [app_no(403), "一种申请日有标记的专利", "摘要", "有效", "<img src=x onerror=alert(2)>"],
    ]
    filename = '<img src=x onerror=alert(3)>.csv'
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, rows), filename)
    page = text(client.get(f"/imports/batch/{batch_id}"))
    assert counts(page)["updated"] == 1 and counts(page)["rejected"] == 2
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(3)&gt;.csv" in page
    assert "<b>" not in page
    history = text(client.get("/imports/patents"))
    assert "<img src=x" not in history and "&lt;img src=x onerror=alert(3)&gt;.csv" in history


def test_filename_path_parts_are_dropped(client, session, settings, uni):
    login(client, uni[1].login)
    batch_id = upload_patents(client, csv_bytes(PATENT_HEADERS, VALID_ROWS[:1]), "../../逃逸.csv")
    session.expire_all()
    batch = session.get(ImportBatch, batch_id)
    assert batch.filename == "逃逸.csv"
    assert re.fullmatch(r"[0-9a-f]{32}\.csv", batch.stored_name)
    assert batch.stored_name in upload_dir_files(settings)
