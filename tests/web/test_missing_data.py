"""Missing data is left out, not shown as 未知/未标注/—; sources read as data set names."""
from __future__ import annotations

import re

from matchmaker.models import LegalStatus, OrgKind
from tests.factories import make_need, make_patent
from tests.web.helpers import login, text

BDCI = "0202zc/nlp-competition:ccf-bdci-samll-sample-classification-2022/data/labels/train+testA/0.tsv@c987f576beeb"


def shown(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def sparse_patent(session, owner, **overrides):
    """A patent as the public data set has it: title, abstract and owner, nothing else."""
    values = dict(title="一种稀疏数据测试用的滴灌装置", abstract="本发明公开了一种滴灌装置。",
                  patent_type=None, legal_status=LegalStatus.UNKNOWN, filing_date=None,
                  expiry_date=None, app_no=None, source=BDCI, source_id="BDCI-1")
    values.update(overrides)
    return make_patent(session, owner, **values)


def test_a_sparse_patent_shows_what_it_has_and_names_its_data_set(client, session, world):
    uni, _ = world.member(OrgKind.UNIVERSITY, name="稀疏数据大学")
    patent = sparse_patent(session, uni)
    session.commit()
    page = shown(text(client.get(f"/patents/{patent.id}")))
    for missing in ("未知", "未标注", "未评估", "暂未填写", "—", "申请号", "法律状态", "首项权利要求",
                    "应用场景", "技术秘密与技术支持", "nlp-competition"):
        assert missing not in page, missing
    assert "摘要" in page and "本发明公开了一种滴灌装置" in page
    html = text(client.get(f"/patents/{patent.id}"))
    assert 'href="/data-sources#bdci2022-patents"' in html and "CCF BDCI 2022 小样本专利分类数据集" in html

    note = text(client.get("/data-sources"))
    assert 'id="bdci2022-patents"' in note and "DataFountain" in note

    results = text(client.get("/search/patents?q=滴灌装置"))
    hits = shown("".join(re.findall(r'<article class="result search-hit".*?</article>', results, re.S)))
    assert "稀疏数据测试用的" in hits and "未知" not in hits and "未标注" not in hits
    assert "无可选项" not in results   # a filter group without values is left out


def test_the_owner_is_told_what_is_missing(client, session, world):
    uni, owner = world.member(OrgKind.UNIVERSITY)
    patent = sparse_patent(session, uni, source=None)
    session.commit()
    login(client, owner.login)
    page = shown(text(client.get(f"/patents/{patent.id}")))
    assert "首项权利要求" in page and "尚未填写" in page and "编辑专利" in page
    assert f"由{uni.name}在本平台登记" in page


def test_a_need_from_the_demo_data_set_names_it(client, session, world):
    ent, user = world.member(OrgKind.ENTERPRISE)
    need = make_need(session, ent, source="yuyuLJY/project_similar2:Requirements.csv@cf090b90e4fb")
    session.commit()
    login(client, user.login)
    html = text(client.get(f"/needs/{need.id}"))
    assert 'href="/data-sources#bdci2019-needs"' in html and "project_similar2:" not in html


def test_the_untyped_facet_value_links_to_exactly_the_untyped_patents(client, session, world):
    """The 未标注 value of 专利类型 stays a filter (tests/search/test_facet_values.py): its link
    opens exactly the patents without a type, as many as the count says, and names the filter."""
    uni, _ = world.member(OrgKind.UNIVERSITY, name="稀疏数据大学")
    sparse = {sparse_patent(session, uni, source_id=f"BDCI-{n}").id for n in range(2)}
    make_patent(session, uni, title="一种有类型的滴灌装置")
    session.commit()
    page = text(client.get("/search/patents"))
    link = re.search(r'<a href="([^"]+)" class="facet-link" data-facet="patent_type" '
                     r'data-value="unknown">\s*<span class="facet-label">未标注</span>'
                     r'<span class="facet-count" data-testid="count">(\d+)</span>', page)
    assert link, "no 未标注 value in the 专利类型 group"
    results = text(client.get(link.group(1).replace("&amp;", "&")))
    rows = {int(i) for i in re.findall(r'<article class="result search-hit"[^>]*data-id="(\d+)"', results)}
    assert rows == sparse and int(link.group(2)) == len(sparse)
    assert "专利类型：未标注" in results
