"""Hand-curated vocabulary that the corpus alone would not teach the segmenter.

SMEs write needs in everyday words (锂电池, 电动车, 3D打印) while patents use technical ones
(锂离子电池, 新能源汽车, 增材制造). Each group below lists such variants, everyday form first.
``scripts/build_text_data.py`` puts every term into the user dictionary so that both sides
segment them whole; the groups are also usable as a synonym table for query expansion.
All entries are in normalized form (simplified, lower case).
"""
from __future__ import annotations

TERM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("锂电池", "锂离子电池", "动力电池"),
    ("电动车", "电动汽车", "新能源汽车", "纯电动汽车"),
    ("充电桩", "充电设施", "充电站"),
    ("太阳能板", "光伏板", "光伏组件", "太阳能电池板"),
    ("无人机", "无人飞行器"),
    ("3d打印", "增材制造"),
    ("机械手", "机械臂", "工业机器人"),
    ("污水处理", "废水处理"),
    ("除臭", "脱臭"),
    ("降噪", "噪声控制", "消声"),
    ("防锈", "防腐蚀"),
    ("刷脸", "人脸识别", "面部识别"),
    ("机器视觉", "视觉检测", "图像识别"),
    ("人工智能", "机器学习", "深度学习", "神经网络"),
    ("物联网", "传感网络"),
    ("智能家居", "家居控制"),
    ("手机", "移动终端", "智能终端"),
    ("电脑", "计算机"),
    ("塑料", "高分子材料"),
    ("玻璃钢", "纤维增强复合材料"),
    ("空调", "空气调节"),
    ("净水器", "净水装置", "反渗透膜"),
    ("大棚", "温室大棚", "日光温室"),
    ("芯片", "集成电路"),
    ("显示屏", "显示面板"),
    ("马达", "电动机"),
    ("自动驾驶", "无人驾驶"),
    ("储能", "储能系统", "储能电池"),
    ("氢能", "燃料电池", "氢燃料电池"),
    ("电池回收", "废旧电池回收"),
    ("垃圾分类", "固体废物", "固废处理"),
    ("秸秆", "生物质"),
    ("脱硫", "烟气脱硫"),
    ("脱硝", "烟气脱硝"),
    ("保健品", "保健食品"),
    ("试剂盒", "检测试剂盒"),
    ("中药", "中药组合物"),
    ("余热回收", "废热回收", "余热利用"),
    ("冷链", "冷链物流", "冷藏运输"),
)

# Boilerplate phrases whose parts carry meaning on their own (特征, 目标, 效果...): segmented
# whole, then dropped by the stopword list, so they do not leak those parts into queries.
BOILERPLATE_PHRASES: tuple[str, ...] = (
    "其特征在于", "技术领域", "背景技术", "技术方案", "有益效果", "技术效果",
    "预期目标", "现有工作基础", "工作基础", "需求内容", "技术需求", "技术难题",
    "关键技术", "合作方式", "技术合作",
)


def curated_terms() -> list[str]:
    """Every term of every group, in group order, without duplicates."""
    seen: dict[str, None] = {}
    for group in TERM_GROUPS:
        seen.update(dict.fromkeys(group))
    return list(seen)


# Compounds that begin with a common word but name something else (false friends): a patent on
# 甜菜碱 (betaine, a surfactant) is not about 甜菜 (sugar beet), 葡萄糖 (glucose) not about
# 葡萄 (grapes). Inside these the leading word is not indexed, so searching 甜菜 does not find
# betaine. Reviewed by hand; the rule below catches the regular chemical cases.
FALSE_FRIENDS: frozenset[str] = frozenset({
    "葡萄糖", "葡萄球菌", "葡萄牙", "葡萄柚", "甜菜夜蛾", "番茄红素", "棉花糖", "玻璃体",
    "有机玻璃", "水玻璃", "玉米螟", "羊毛脂", "苹果酸", "柠檬酸", "茶多酚", "大豆异黄酮",
    "玻璃化", "玉米赤霉烯酮", "辣椒碱", "辣椒素", "甜菜碱", "薄荷醇", "薄荷脑", "葡萄膜",
})
# A word followed by one of these characters names a chemical obtained from it (甜菜 + 碱,
# 辣椒 + 素, 柠檬 + 酸): the same rule as FALSE_FRIENDS for compounds nobody listed. 糖 is
# not here on purpose: 甜菜糖 (beet sugar) is about sugar beet.
CHEMICAL_SUFFIXES: frozenset[str] = frozenset("碱酸素醇酯苷酮醛胺酚脂")
