"""Priority enterprises first, among recommendations only.

The plan asks that pushes favour SMEs, start-ups and enterprises hit by COVID
("重点扶持受新冠肺炎疫情影响较大的小企业和初创企业"; who counts: profiles.service.priority_reasons).
Relevance still comes first: the recommendation threshold is the same for every enterprise, so a
priority enterprise's weak match is neither recommended nor pushed. Among the matches that are
recommended anyway, those of priority enterprises are listed and pushed first, then by score.
"""
from __future__ import annotations

PRIORITY_MARK = "【重点扶持】"     # prefixes a priority enterprise's push of a new patent


def rank_key(*, priority: bool, recommended: bool, score: float) -> tuple[bool, float]:
    """Sort key of a match: recommended matches of priority enterprises, then all by score.

    >>> sorted([(False, True, 90.0), (True, True, 60.0), (True, False, 40.0), (False, False, 50.0)],
    ...        key=lambda m: rank_key(priority=m[0], recommended=m[1], score=m[2]))
    [(True, True, 60.0), (False, True, 90.0), (False, False, 50.0), (True, False, 40.0)]
    """
    return (not (priority and recommended), -score)


def owner_note(enterprises: int, priority: int, title: str) -> str:
    """The owner's notice of enterprises newly matched to the patent, priority ones counted.

    >>> owner_note(3, 1, "一种正极材料")
    '有 3 家企业（其中 1 家为重点扶持企业）的需求与专利“一种正极材料”匹配'
    >>> owner_note(2, 0, "一种正极材料")
    '有 2 家企业的需求与专利“一种正极材料”匹配'
    """
    which = f"（其中 {priority} 家为重点扶持企业）" if priority else ""
    return f"有 {enterprises} 家企业{which}的需求与专利“{title[:30]}”匹配"
