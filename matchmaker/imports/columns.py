"""Map the headers of an uploaded table onto our fields.

Exports from patent databases (CNIPA, incoPat, Patsnap, university systems) name the same
column many ways; the aliases below cover the common ones, in simplified or traditional
characters, with or without notes such as "（必填）" or "(YYYY-MM-DD)".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..text.normalize import to_simplified

_NOTE = re.compile(r"[（(【\[].*?[)）】\]]")
_NOISE = re.compile(r"[\s*＊:：_\-/、.]+")


@dataclass(frozen=True)
class Column:
    field: str
    label: str                 # the header our template uses
    aliases: tuple[str, ...]
    required: bool = False
    multi: bool = False        # several source columns may feed it (IPC main + all classes)
    hint: str = ""             # shown in the template's instructions sheet


PATENT_COLUMNS: tuple[Column, ...] = (
    Column("app_no", "申请号", ("申请号", "专利申请号", "申请号码", "专利号", "申请专利号", "app_no",
                               "application_no", "application_number", "appno"),
           hint="如 201710601862.3；校验位会被核对。没有申请号的记录按“来源编号”识别"),
    Column("title", "专利名称", ("专利名称", "名称", "标题", "发明名称", "专利标题", "发明创造名称",
                               "title"), required=True, hint="必填，2–300 字"),
    Column("abstract", "摘要", ("摘要", "摘要文本", "技术摘要", "专利摘要", "abstract"),
           hint="建议填写，匹配主要依靠摘要"),
    Column("first_claim", "首项权利要求", ("首项权利要求", "主权项", "独立权利要求", "权利要求",
                                        "权利要求书", "claims", "first_claim")),
    Column("patent_type", "专利类型", ("专利类型", "类型", "申请类型", "专利种类", "type",
                                    "patent_type"), hint="发明、实用新型或外观设计；可留空，由申请号推断"),
    Column("legal_status", "法律状态", ("法律状态", "当前法律状态", "专利状态", "有效性", "法律状态有效性",
                                     "legal_status"), hint="有效、审中或失效；已失效的专利导入后归档"),
    Column("filing_date", "申请日", ("申请日", "申请日期", "app_date", "filing_date"),
           hint="如 2017-07-21，也接受 2017/7/21、20170721 和 Excel 日期"),
    Column("grant_date", "授权公告日", ("授权公告日", "授权日", "授权日期", "授权公告日期", "grant_date")),
    Column("ipc_codes", "IPC分类号", ("ipc分类号", "主分类号", "ipc主分类号", "ipc", "分类号",
                                    "ipc分类", "国际专利分类号", "ipc_codes"), multi=True,
           hint="多个分类号用分号分隔，如 H01M 10/052; H01M4/13"),
    Column("applicant", "专利权人", ("专利权人", "申请人", "申请专利权人", "当前专利权人", "权利人",
                                  "当前权利人", "owner", "applicant", "assignee")),
    Column("inventors", "发明人", ("发明人", "发明设计人", "设计人", "inventors", "inventor")),
    Column("pub_no", "公开公告号", ("公开公告号", "公开号", "公告号", "授权公告号", "公开号码", "pub_no",
                                  "publication_no")),
    Column("industry_tags", "所属行业", ("所属行业", "行业", "产业领域", "industry", "industry_tags")),
    Column("readiness", "技术成熟度", ("技术成熟度", "成熟度", "readiness"), hint="1–9 的整数"),
    Column("scenarios", "应用场景", ("应用场景", "应用领域", "scenarios")),
    Column("knowhow_included", "提供技术支持", ("提供技术支持", "含技术秘密", "提供技术秘密",
                                           "knowhow_included"), hint="是 / 否"),
    Column("source_id", "来源编号", ("来源编号", "记录编号", "id", "source_id"),
           hint="没有申请号时用于识别同一条记录（再次导入时更新而不是重复新增）"),
    Column("source", "数据来源", ("数据来源", "source")),
)

NEED_COLUMNS: tuple[Column, ...] = (
    Column("title", "需求名称", ("需求名称", "需求标题", "标题", "名称", "项目名称", "title"),
           required=True, hint="必填，2–200 字"),
    Column("description", "需求描述", ("需求描述", "需求内容", "描述", "技术需求", "具体需求", "内容",
                                    "详细描述", "text", "description"),
           hint="用平常的话写清要解决的问题、现有做法和期望指标"),
    Column("industry", "所属行业", ("所属行业", "行业", "行业领域", "技术领域", "industry")),
    Column("region", "所在地区", ("所在地区", "地区", "区域", "region")),
    Column("budget_min_wan", "预算下限（万元）", ("预算下限", "最低预算", "budget_min_wan")),
    Column("budget_max_wan", "预算上限（万元）", ("预算上限", "预算", "最高预算", "拟投入资金",
                                           "budget_max_wan")),
    Column("wanted_forms", "合作方式", ("合作方式", "期望合作方式", "wanted_forms"),
           hint="许可、转让、合作开发，可填多个，用顿号分隔"),
    Column("valid_until", "有效期至", ("有效期至", "有效期", "截止日期", "valid_until"),
           hint="默认 180 天后"),
    Column("source_id", "需求编号", ("需求编号", "编号", "id", "source_id"),
           hint="再次导入时按编号更新；没有编号时按需求名称识别"),
    Column("source", "数据来源", ("数据来源", "source")),
)


def header_key(raw) -> str:
    """Comparable form of a header: NFKC, simplified, lower-case, without notes and marks."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
    text = to_simplified(text).lower()
    return _NOISE.sub("", _NOTE.sub("", text))


def _alias_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for col in columns:
        for alias in (col.label, *col.aliases):
            index.setdefault(header_key(alias), col)
    return index


@dataclass
class ColumnMap:
    """Which source column feeds which field, and what was left over."""

    columns: tuple[Column, ...]
    headers: list[str]
    fields: dict[str, list[int]] = field(default_factory=dict)   # field -> source column indexes
    unmapped: list[str] = field(default_factory=list)

    @property
    def missing_required(self) -> list[Column]:
        return [c for c in self.columns if c.required and c.field not in self.fields]

    def rows(self) -> list[tuple[str, str]]:
        """(source header, our label or "（忽略）") for the preview."""
        label = {c.field: c.label for c in self.columns}
        by_index = {i: f for f, idx in self.fields.items() for i in idx}
        return [(h, label[by_index[i]] if i in by_index else "（忽略）")
                for i, h in enumerate(self.headers) if h]

    def has(self, field_name: str) -> bool:
        return field_name in self.fields


def map_columns(headers: list[str], columns: tuple[Column, ...]) -> ColumnMap:
    index = _alias_index(columns)
    cmap = ColumnMap(columns, list(headers))
    for i, header in enumerate(headers):
        col = index.get(header_key(header))
        if col is None or (col.field in cmap.fields and not col.multi):
            if header:
                cmap.unmapped.append(header)
            continue
        cmap.fields.setdefault(col.field, []).append(i)
    return cmap


def header_scorer(columns: tuple[Column, ...]):
    """Count of cells that are known headers: picks the header row under title lines."""
    index = _alias_index(columns)
    return lambda cells: len({index[k].field for c in cells
                              if isinstance(c, str) and (k := header_key(c)) in index})
