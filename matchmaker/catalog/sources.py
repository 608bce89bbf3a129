"""Where a patent or need came from, said in words: the public data sets behind the demo data
and imports, and how to read a record's `source` field.

Records keep their exact origin (`0202zc/nlp-competition:…/0.tsv@c987f576beeb`) for anyone who
needs to trace them; people see the data set's name and a link to its note instead of a path.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dataset:
    """A public data set records were taken from, with the note the provenance page shows."""

    key: str                      # the anchor of its note on the provenance page
    name: str
    repositories: tuple[str, ...]  # upstream copies (owner/name), as `source` values start
    content: str
    origin: str
    caveats: str


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        key="bdci2022-patents",
        name="CCF BDCI 2022 小样本专利分类数据集",
        repositories=("0202zc/nlp-competition", "zhangzhao219/CCF-BDCI-fewshot-classification"),
        content="中国高校和科研院所的真实专利：名称、摘要和申请人（专利权人）。不含申请号、法律状态、"
                "专利类型和申请日，因此这些信息在平台上暂缺，并非专利本身没有。",
        origin="2022 年 CCF 大数据与计算智能大赛（DataFountain 第 582 号赛题“小样本数据分类”）公开的专利数据，"
               "取自两个公开的参赛代码仓库；每条记录的原始位置（仓库、文件、版本）保存在来源编号中。",
        caveats="原始数据中的英文字母被转为小写（如 5g、led），少数标题含有上标等格式标记。",
    ),
    Dataset(
        key="patentsemantix",
        name="PatentSemantix 专利案例数据",
        repositories=("Pinellia-0/PatentSemantix",),
        content="10 件中科大数据研究院的专利，字段齐全：申请号、公开号、IPC 分类号、专利类型、申请日、"
                "授权日、法律状态和权利要求。",
        origin="公开仓库 Pinellia-0/PatentSemantix 中的案例表（专利总表）。",
        caveats="原仓库未声明许可协议，仅作演示使用。",
    ),
    Dataset(
        key="bdci2019-needs",
        name="CCF BDCI 2019 企业技术需求数据集",
        repositories=("yuyuLJY/project_similar2",),
        content="中国企业（多数在河南）发布的真实技术需求：需求名称和需求描述。",
        origin="2019 年 CCF 大数据与计算智能大赛“‘技术需求’与‘技术成果’项目之间关联度计算模型”赛题"
               "（DataFountain，CCF 与八六三软件主办）公开的数据，取自公开仓库 yuyuLJY/project_similar2。",
        caveats="演示数据把这些需求按主题分配给虚构的“演示企业”，需求并非这些企业发布；地区为演示设定。",
    ),
)
_BY_REPOSITORY = {repo: dataset for dataset in DATASETS for repo in dataset.repositories}


@dataclass(frozen=True)
class SourceLabel:
    """What to show for a record's source: a name, and the data set when it is a known one."""

    name: str
    dataset: Dataset | None = None


def describe_source(source: str | None) -> SourceLabel | None:
    """A record's `source` in words; None when the record was entered on the platform.

    >>> describe_source("0202zc/nlp-competition:ccf-bdci/labels/0.tsv@c987f576beeb").name
    'CCF BDCI 2022 小样本专利分类数据集'
    >>> describe_source("Pinellia-0/PatentSemantix:专利总表(案例).sql@4e22718715c7").dataset.key
    'patentsemantix'
    >>> describe_source("国家知识产权局专利检索"), describe_source("  ")
    (SourceLabel(name='国家知识产权局专利检索', dataset=None), None)
    """
    text = (source or "").strip()
    if not text:
        return None
    repository = text.split(":", 1)[0].split("@", 1)[0]
    dataset = _BY_REPOSITORY.get(repository)
    return SourceLabel(dataset.name, dataset) if dataset else SourceLabel(text)
