"""Files that cannot be imported at all: a clear Chinese message and nothing written."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from matchmaker.imports.files import FileProblem, open_table
from tests.factories import make_patent
from tests.imports.helpers import (app_no, counts, csv_text, import_needs, import_patents,
                                   write_xlsx)

HEADER = ["申请号", "专利名称", "申请日"]
ROWS = [HEADER] + [[app_no(2017, "1", i), f"一种锂电池正极材料{i}", "2017-08-01"] for i in range(1, 6)]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zip_bomb(path: Path) -> Path:
    """Shaped like a workbook; its sheet inflates 5 MB of zeros from a few kilobytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", bytes(5 * 2**20))
    assert path.stat().st_size < 50_000
    return path


def zip_without_sheets(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<document>" + "正文" * 50 + "</document>")
    return path


def workbook_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "real.xlsx", ROWS).read_bytes()


BAD_FILES = {
    "empty": ("p.csv", lambda tmp: b"", {}, "文件是空的"),
    "gbk_forced_utf8": ("p.csv", lambda tmp: csv_text(ROWS).encode("gbk"), {"encoding": "utf-8"},
                        "第 1 行附近无法按 UTF-8 编码读取。请在上传时选择正确的编码"),
    "utf16_bom": ("p.csv", lambda tmp: csv_text(ROWS).encode("utf-16"), {},
                  "文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传"),
    "utf16_no_bom": ("p.csv", lambda tmp: csv_text(ROWS).encode("utf-16-le"), {},
                     "文件包含二进制内容，不是文本格式的 CSV 文件"),
    "random_as_xlsx": ("p.xlsx", lambda tmp: b"\x13\x37" + os.urandom(4000), {},
                       "文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿（可能已损坏或只是改了扩展名）"),
    "old_xls": ("p.xls", lambda tmp: OLE_MAGIC + os.urandom(4000), {},
                "不支持 Excel 97-2003（.xls）格式"),
    "old_xls_renamed": ("p.xlsx", lambda tmp: OLE_MAGIC + os.urandom(4000), {},
                        "不支持 Excel 97-2003（.xls）格式"),
    "zip_bomb": ("p.xlsx", lambda tmp: zip_bomb(tmp / "bomb.zip").read_bytes(), {},
                 "工作簿解压后体积异常（疑似压缩炸弹），已拒绝导入"),
    "zip_not_workbook": ("p.xlsx", lambda tmp: zip_without_sheets(tmp / "doc.zip").read_bytes(), {},
                         "文件不是有效的 Excel 工作簿（.xlsx）：没有找到工作表"),
    "damaged_zip": ("p.xlsx", lambda tmp: workbook_bytes(tmp)[:3000], {},
                    "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名"),
    "xlsx_named_csv": ("p.csv", workbook_bytes, {}, "文件内容是 Excel 工作簿，请把扩展名改回 .xlsx 再上传"),
    "unknown_type": ("p.pdf", lambda tmp: b"%PDF-1.4\n", {},
                     "无法识别的文件类型，请上传 .csv、.xlsx 或 .jsonl 文件"),
    "unknown_encoding": ("p.csv", lambda tmp: csv_text(ROWS).encode(), {"encoding": "big5"},
                         "不支持的编码“big5”"),
    "oversized": ("p.csv", lambda tmp: csv_text(ROWS).encode(), {"max_bytes": 100},
                  "超过上限"),
    "blank_lines_only": ("p.csv", lambda tmp: b"\n\n,,\n", {}, "文件中没有任何内容"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_and_nothing_is_written(session, university, tmp_path, case):
    name, build, options, message = BAD_FILES[case]
    make_patent(session, university, app_no=app_no(2016, "1", 99))
    path = tmp_path / name
    path.write_bytes(build(tmp_path))
    before = counts(session)
    with pytest.raises(FileProblem) as exc:
        import_patents(session, path, university, **options)
    assert message in exc.value.message
    assert exc.value.errors == {"file": exc.value.message}
    assert counts(session) == before


def test_oversized_message_names_the_size_and_the_limit(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"x" * (3 * 2**20))
    with pytest.raises(FileProblem) as exc:
        open_table(path, max_bytes=2 * 2**20)
    assert exc.value.message == "文件大小 3.0 MB 超过上限 2 MB"


def test_gbk_file_read_as_utf8_late_in_the_file_names_the_line(tmp_path):
    """The first 64 KB are ASCII (sniffed as UTF-8); the GBK text further down is still caught."""
    rows = [["app_no", "title"]] + [[app_no(2017, "1", i), f"title {i}"] for i in range(1, 3000)]
    rows.append([app_no(2017, "1", 3000), "一种锂电池"])
    path = tmp_path / "p.csv"
    path.write_bytes(csv_text(rows).encode("gbk"))
    assert path.stat().st_size > 64 * 1024
    table = open_table(path)
    assert table.encoding == "utf-8"
    with pytest.raises(FileProblem, match="第 3001 行附近无法按 UTF-8 编码读取"):
        list(table.rows)


def test_too_many_rows_is_refused(session, university, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(csv_text(ROWS), encoding="utf-8")
    before = counts(session)
    with pytest.raises(FileProblem) as exc:
        import_patents(session, path, university, max_rows=3, write=False)
    assert exc.value.message == "文件超过 3 行的上限，请拆分成几个文件分别导入"
    assert import_patents(session, path, university, max_rows=5, write=False).total == 5
    assert counts(session) == before


def test_needs_go_only_to_an_enterprise(session, university, tmp_path):
    path = tmp_path / "n.csv"
    path.write_text(csv_text([["需求名称", "需求描述"], ["提高电池寿命", "循环寿命不足"]]), encoding="utf-8")
    before = counts(session)
    with pytest.raises(FileProblem, match="技术需求只能导入到一家企业名下"):
        import_needs(session, path, university)
    assert counts(session) == before


def test_need_file_without_a_title_column_is_refused(session, enterprise, tmp_path):
    path = tmp_path / "n.csv"
    path.write_text(csv_text([["需求描述", "所属行业"], ["循环寿命不足", "新能源"]]), encoding="utf-8")
    with pytest.raises(FileProblem, match="没有找到“需求名称”列"):
        import_needs(session, path, enterprise)


def test_read_bytes_limited_deletes_an_oversized_upload(tmp_path):
    from matchmaker.imports.files import read_bytes_limited
    dest = tmp_path / "upload.csv"
    with pytest.raises(FileProblem, match="文件超过 1 MB 的上限"):
        read_bytes_limited(io.BytesIO(b"x" * (2**20 + 1)), dest, 2**20)
    assert not dest.exists()
    assert read_bytes_limited(io.BytesIO(b"abc"), dest, 2**20) == 3
    assert dest.read_bytes() == b"abc"

