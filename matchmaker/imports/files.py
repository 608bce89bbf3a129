"""Open an uploaded table and stream its rows: CSV (UTF-8, BOM, GB18030), XLSX, JSON Lines.

Everything that can be wrong with the file as a whole (empty, binary, wrong encoding, a zip
bomb, too many rows) becomes a `FileProblem` with a Chinese message; problems of single cells
(formulas, merged cells) travel with their row so the rest of the file still imports.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from xml.etree.ElementTree import iterparse

from ..errors import ValidationError
from ..private import open_private

ENCODINGS = {"auto": "自动识别", "utf-8": "UTF-8", "gb18030": "GB18030 / GBK"}
FORMATS = ("csv", "xlsx", "jsonl")
HEADER_SCAN_ROWS = 10          # exports often put a title line or two above the header
MAX_UNZIPPED_RATIO = 100       # a real workbook compresses ~5-20x; a bomb ~1000x
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class FileProblem(ValidationError):
    """The file as a whole cannot be imported; nothing is written."""

    def __init__(self, message: str):
        super().__init__({"file": message})


@dataclass
class SourceRow:
    """One data row: its number as the user sees it (spreadsheet row / file line) and cells."""

    number: int
    cells: list                      # values in column order (str, or int/float/date from XLSX)
    problems: list[str] = field(default_factory=list)   # per-cell problems found while reading
    record: dict | None = None       # JSON Lines: the object itself


@dataclass
class Table:
    """Headers plus a one-shot row iterator; `header_row` is where the header was found."""

    format: str
    encoding: str
    headers: list[str]
    header_row: int
    rows: Iterator[SourceRow]


def detect_format(filename: str, head: bytes) -> str:
    """Format from the extension, checked against the first bytes."""
    name = filename.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if head.startswith(_XLS_MAGIC):
        raise FileProblem("不支持 Excel 97-2003（.xls）格式，请在 Excel 中“另存为” .xlsx 或 CSV 后再上传")
    if ext in ("xlsx", "xlsm"):
        if not head.startswith(_ZIP_MAGIC):
            raise FileProblem("文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿（可能已损坏或只是改了扩展名）")
        return "xlsx"
    if ext in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if ext in ("csv", "tsv", "txt"):
        if head.startswith(_ZIP_MAGIC):
            raise FileProblem("文件内容是 Excel 工作簿，请把扩展名改回 .xlsx 再上传")
        return "csv"
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    raise FileProblem("无法识别的文件类型，请上传 .csv、.xlsx 或 .jsonl 文件")


def open_table(path: Path, filename: str | None = None, *, encoding: str = "auto",
               max_rows: int = 50_000, max_bytes: int | None = None,
               header_score: Callable[[list], int] = lambda cells: 0) -> Table:
    """Open `path` and find its header row; rows are read lazily.

    `header_score` rates a candidate header row (how many cells are known column names); the
    best of the first rows wins, so title lines above the header are skipped.
    """
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise FileProblem(f"文件大小 {size / 2**20:.1f} MB 超过上限 {max_bytes / 2**20:.0f} MB")
    if size == 0:
        raise FileProblem("文件是空的")
    with open(path, "rb") as fh:
        head = fh.read(8)
    fmt = detect_format(filename or path.name, head)
    if encoding not in ENCODINGS:
        raise FileProblem(f"不支持的编码“{encoding}”，可选：{'、'.join(ENCODINGS.values())}")
    if fmt == "xlsx":
        table = _open_xlsx(path, max_bytes or 50 * 2**20, header_score)
    elif fmt == "jsonl":
        table = _open_jsonl(path)
    else:
        table = _open_csv(path, encoding, header_score)
    table.rows = _limited(table.rows, max_rows)
    return table


def _limited(rows: Iterator[SourceRow], max_rows: int) -> Iterator[SourceRow]:
    for count, row in enumerate(rows, 1):
        if count > max_rows:
            raise FileProblem(f"文件超过 {max_rows:,} 行的上限，请拆分成几个文件分别导入")
        yield row


def _pick_header(first: list[tuple[int, list]], header_score) -> int:
    """Index into `first` of the header row: the best-scoring row, else the first non-empty."""
    best, best_score = None, 0
    for i, (_n, cells) in enumerate(first):
        score = header_score(cells)
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    for i, (_n, cells) in enumerate(first):
        if any(_blank(c) is False for c in cells):
            return i
    raise FileProblem("文件中没有任何内容")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _split_header(numbered: Iterator[tuple[int, list, list[str]]], header_score, fmt: str,
                  enc: str) -> Table:
    """Read up to HEADER_SCAN_ROWS rows, pick the header, and chain the rest back on."""
    first: list[tuple[int, list, list[str]]] = []
    for item in numbered:
        first.append(item)
        if len(first) >= HEADER_SCAN_ROWS:
            break
    if not first:
        raise FileProblem("文件中没有任何内容")
    h = _pick_header([(n, c) for n, c, _p in first], header_score)
    headers = [("" if c is None else str(c)).strip() for c in first[h][1]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileProblem("文件中没有表头")

    def rows() -> Iterator[SourceRow]:
        for n, cells, problems in first[h + 1:]:
            if not all(_blank(c) for c in cells):
                yield SourceRow(n, cells, problems)
        for n, cells, problems in numbered:
            if not all(_blank(c) for c in cells):
                yield SourceRow(n, cells, problems)
    return Table(fmt, enc, headers, first[h][0], rows())


# -- CSV -------------------------------------------------------------------------------------

def sniff_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as such, else GB18030 (a superset
    of GBK and GB2312, what Chinese Excel and patent databases write)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem("文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _open_csv(path: Path, encoding: str, header_score) -> Table:
    with open(path, "rb") as fh:
        sample = fh.read(64 * 1024)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem("文件包含二进制内容，不是文本格式的 CSV 文件")
    if encoding == "auto":
        enc = sniff_encoding(sample)
    else:
        enc = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        text_sample = sample.decode(enc, errors="strict") if len(sample) < 64 * 1024 else \
            codecs.getincrementaldecoder(enc)().decode(sample, final=False)
    except UnicodeDecodeError:
        raise FileProblem(_decode_message(enc, _undecodable_line(path, enc))) from None
    delimiter = _sniff_delimiter(text_sample)
    fh = open(path, "r", encoding=enc, errors="strict", newline="")

    def numbered() -> Iterator[tuple[int, list, list[str]]]:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            # Records, not file lines: a quoted cell with line breaks (common in abstracts) is
            # one spreadsheet row, so numbers match what Excel / WPS show.
            for number, cells in enumerate(reader, 1):
                yield number, cells, []
        except UnicodeDecodeError:
            # The text layer decodes ahead in 8 KB chunks, so the reader's position can be a
            # hundred lines early: find the line itself.
            raise FileProblem(_decode_message(enc, _undecodable_line(path, enc)
                                              or reader.line_num + 1)) from None
        except csv.Error as exc:
            raise FileProblem(f"第 {reader.line_num} 行 CSV 格式有误：{exc}") from None
        finally:
            fh.close()
    return _split_header(numbered(), header_score, "csv", "gb18030" if enc == "gb18030" else "utf-8")


def _undecodable_line(path: Path, enc: str) -> int | None:
    """Number of the first file line that does not decode (a line break byte never occurs
    inside a UTF-8 or GB18030 character, so lines can be decoded one by one)."""
    decoder = codecs.getincrementaldecoder(enc)()
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return n
    return None


def _decode_message(enc: str, line: int | None) -> str:
    name = "UTF-8" if enc.startswith("utf-8") else "GB18030/GBK"
    return (f"第 {line or 1} 行附近无法按 {name} 编码读取。请在上传时选择正确的编码"
            f"（常见为 UTF-8 或 GB18030/GBK），或在 Excel 中另存为“CSV UTF-8”")


def _sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 5)
    counts = {d: sum(line.count(d) for line in first[:5]) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# -- XLSX ------------------------------------------------------------------------------------

def _check_zip(path: Path, max_bytes: int) -> None:
    """Refuse archives that would unpack to far more than a workbook of the allowed size."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileProblem("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > max(max_bytes * 10, 10 * 2**20) or total / packed > MAX_UNZIPPED_RATIO:
        raise FileProblem("工作簿解压后体积异常（疑似压缩炸弹），已拒绝导入")
    if not any(i.filename.startswith("xl/worksheets/") for i in infos):
        raise FileProblem("文件不是有效的 Excel 工作簿（.xlsx）：没有找到工作表")


def _open_xlsx(path: Path, max_bytes: int, header_score) -> Table:
    from openpyxl import load_workbook

    _check_zip(path, max_bytes)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
        ws = wb.worksheets[0]
    except Exception:  # openpyxl raises many kinds on damaged parts
        raise FileProblem("无法读取该 Excel 工作簿，文件可能已损坏；请另存为新的 .xlsx 后再试") from None
    merged = _merged_rows(path, getattr(ws, "_worksheet_path", ""))
    ws.reset_dimensions()

    def numbered() -> Iterator[tuple[int, list, list[str]]]:
        try:
            for row in ws.iter_rows():
                cells, problems, number = [], [], None
                for cell in row:
                    if number is None and getattr(cell, "row", None):
                        number = cell.row
                    value = cell.value
                    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str)
                                                                 and value.startswith("=")):
                        problems.append(f"第 {len(cells) + 1} 列是公式（{_short(value)}），"
                                        "公式不会被执行，请改为纯文本")
                        value = str(value)
                    cells.append(value)
                if number is None:
                    continue
                if number in merged:
                    problems.append(f"该行处于合并单元格 {merged[number]} 中，请取消合并并在每一行填写完整")
                yield number, cells, problems
        except FileProblem:
            raise
        except Exception:
            raise FileProblem("读取 Excel 工作簿时出错，文件可能已损坏") from None
        finally:
            wb.close()
    return _split_header(numbered(), header_score, "xlsx", "")


def _merged_rows(path: Path, sheet_path: str) -> dict[int, str]:
    """Rows covered by merged ranges spanning more than one row, from the sheet XML
    (read-only openpyxl does not expose them); single-row merges only widen a cell."""
    out: dict[int, str] = {}
    if not sheet_path:
        return out
    with zipfile.ZipFile(path) as zf:
        try:
            fh = zf.open(sheet_path.lstrip("/"))
        except KeyError:
            return out
        with fh:
            for _ev, el in iterparse(fh):
                if el.tag.endswith("}mergeCell"):
                    ref = el.get("ref", "")
                    parts = [_CELL_REF.match(p) for p in ref.split(":")]
                    if len(parts) == 2 and all(parts):
                        top, bottom = int(parts[0].group(2)), int(parts[1].group(2))
                        if bottom > top:
                            for r in range(top, bottom + 1):
                                out.setdefault(r, ref)
                el.clear()
    return out


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


# -- JSON Lines ------------------------------------------------------------------------------

def _open_jsonl(path: Path) -> Table:
    """Each line an object; the headers are the keys of the first object (the shared corpus
    format and our own exports). Later objects may carry more or fewer keys."""
    opener = gzip.open if path.name.endswith(".gz") else open
    fh = opener(path, "rt", encoding="utf-8-sig", errors="strict")

    def lines() -> Iterator[tuple[int, str]]:
        try:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield n, line
        except UnicodeDecodeError:
            raise FileProblem("JSON Lines 文件必须是 UTF-8 编码") from None
        except (OSError, EOFError):
            raise FileProblem("压缩文件已损坏，无法读取") from None
        finally:
            fh.close()
    it = lines()
    first = next(it, None)
    if first is None:
        raise FileProblem("文件中没有任何内容")
    first_row = _json_row(*first)
    headers = list(first_row.record) if first_row.record else []

    def rows() -> Iterator[SourceRow]:
        yield first_row
        for n, line in it:
            yield _json_row(n, line)
    return Table("jsonl", "utf-8", headers, 0, rows())


def _json_row(n: int, line: str) -> SourceRow:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return SourceRow(n, [line.rstrip("\n")], [f"不是有效的 JSON：{exc.msg}"])
    if not isinstance(rec, dict):
        return SourceRow(n, [line.rstrip("\n")], ["每行须为一个 JSON 对象"])
    return SourceRow(n, [line.rstrip("\n")], [], record=rec)


def read_bytes_limited(stream: io.BufferedIOBase, dest: Path, max_bytes: int) -> int:
    """Copy an upload stream to `dest`, refusing (and deleting) anything over `max_bytes`."""
    written = 0
    try:
        with open_private(dest, "wb") as out:
            while chunk := stream.read(1 << 16):
                written += len(chunk)
                if written > max_bytes:
                    raise FileProblem(f"文件超过 {max_bytes / 2**20:.0f} MB 的上限")
                out.write(chunk)
    except BaseException:   # too big, a full disk, a dropped upload: keep no partial file
        dest.unlink(missing_ok=True)
        raise
    return written


def estimate_rows(path: Path, filename: str | None = None) -> int:
    """Rough number of data rows, for a progress bar only (quoted line breaks in CSV cells
    and rows above the header make it approximate)."""
    name = (filename or path.name).lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            with zipfile.ZipFile(path) as zf:
                sheet = next((n for n in sorted(zf.namelist())
                              if n.startswith("xl/worksheets/sheet")), None)
                if sheet is None:
                    return 0
                count = 0
                with zf.open(sheet) as fh:
                    while chunk := fh.read(1 << 20):
                        count += chunk.count(b"<row ")
                return max(count - 1, 0)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1, 0)
    except (OSError, zipfile.BadZipFile, EOFError):
        return 0
