"""A small, reviewed table of equivalent spellings, used as lower-weighted query expansion.

SMEs and patents name the same thing differently (光伏板 / 光伏组件, 番茄 / 西红柿, 破壳 / 脱壳).
Each group lists terms that a searcher would accept for one another, in normalized form. Loose
relations (塑料 / 高分子材料, 人工智能 / 深度学习) are deliberately absent: expansion widens
what a required query word may match, so a group must hold true equivalents only.
Character variants (粘 / 黏) are not here: :func:`~.normalize.normalize` folds them.
"""
from __future__ import annotations

from functools import lru_cache

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # agriculture and food
    ("番茄", "西红柿"), ("土豆", "马铃薯"), ("红枣", "大枣"), ("核桃", "胡桃"),
    ("番茄酱", "番茄沙司"), ("葡萄酒", "红酒"), ("果蔬", "水果蔬菜", "果品蔬菜"),
    ("采棉机", "棉花采摘机", "棉花收获机", "采棉机械"), ("残膜", "残留地膜", "废旧地膜"),
    ("滴灌", "滴水灌溉"), ("滴灌带", "滴灌管"), ("破壳", "脱壳", "剥壳", "去壳"),
    ("盐碱地", "盐碱土", "盐渍土"), ("秸秆", "作物秸秆"),
    # energy
    ("光伏板", "光伏组件", "太阳能电池板", "太阳能板"), ("光伏支架", "太阳能支架"),
    ("锂电池", "锂离子电池"), ("储能", "蓄能"), ("风电", "风力发电"), ("充电桩", "充电设施"),
    ("马达", "电动机"),
    # materials, construction, environment
    ("混凝土", "砼"), ("裂缝", "裂纹", "开裂"), ("砖", "砖块", "砌块"), ("钢渣", "炼钢渣"),
    ("污水", "废水"), ("脱氮", "除氮"), ("降粘", "减粘", "降低粘度"), ("电石", "碳化钙"),
    ("回收", "回收利用", "再生利用"), ("修复", "治理"), ("干燥", "烘干"), ("连接", "接头"),
    ("压裂液", "压裂流体"), ("玻璃钢", "纤维增强塑料"),
    # machines and electronics
    ("无人机", "无人飞行器"), ("3d打印", "增材制造"), ("机械手", "机械臂"),
    ("人脸识别", "面部识别"), ("自动驾驶", "无人驾驶"), ("电脑", "计算机"),
)
# One-way expansions to narrower terms: 果蔬 (fruit and vegetables) accepts 蔬菜, but a search
# for 蔬菜 must not accept 水果.
NARROWER: dict[str, tuple[str, ...]] = {
    "果蔬": ("蔬菜", "水果"),
    "坚果": ("核桃", "杏仁", "巴旦木", "榛子"),
    "农膜": ("地膜", "棚膜"),
}
EXPANSION_WEIGHT = 0.5   # a synonym's weight relative to the word the user typed


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYM_GROUPS:
        for term in group:
            table[term] = tuple(t for t in group if t != term)
    for term, narrower in NARROWER.items():
        table[term] = table.get(term, ()) + narrower
    return table


def synonyms(term: str) -> tuple[str, ...]:
    """The other members of ``term``'s group and its narrower terms (normalized input).

    >>> synonyms("光伏板")
    ('光伏组件', '太阳能电池板', '太阳能板')
    >>> synonyms("果蔬"), synonyms("蔬菜"), synonyms("塑料")
    (('水果蔬菜', '果品蔬菜', '蔬菜', '水果'), (), ())
    """
    return _table().get(term, ())
