#!/usr/bin/env python3
"""Build the curated demo data set shipped in ``matchmaker/demo/data/``.

Inputs (read-only, see the READMEs next to them):

* ``<data-dir>/patents/patents_bdci2022.jsonl``: real patents with title,
  abstract and applicant (CCF BDCI 2022).
* ``<data-dir>/patents/patents.jsonl``: only the 10 PatentSemantix rows with
  the full schema (app_no, ipc, type, dates, legal status, applicant) are used.
* ``<data-dir>/needs/needs.jsonl``: real enterprise technical needs
  (CCF BDCI 2019).

Outputs (in ``matchmaker/demo/data/`` unless ``--out-dir`` is given):

* ``patents.jsonl.gz``: about ``--patents`` university/institute patents.
  Original keys and values are copied unchanged; ``owner`` and ``owner_kind``
  are added.
* ``needs.jsonl.gz``: the real needs without duplicates and empty texts.
  Original keys are copied unchanged; ``enterprise`` and
  ``enterprise_region`` (fictitious demo assignments) are added.
* ``organizations.json``: the demo organizations and demo user logins.

The README.md in the output directory is written by hand; it documents the
provenance and the selection rule implemented here.

The script is deterministic: inputs are sorted, the only randomness is a
``random.Random(--seed)`` and the gzip headers carry no timestamp.

Usage::

    python3 scripts/build_demo_data.py [--data-dir ../shared/data] [--patents 3000]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import random
import re
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
DEFAULT_OUT_DIR = PROJECT_ROOT / "matchmaker" / "demo" / "data"

# --- patent selection rules -------------------------------------------------

# Applicant must look like a university or research institute ...
ACADEMIC_RE = re.compile(r"大学|学院|研究院|研究所|科学院")
# ... and must not be a company (e.g. 设计研究院有限公司, 株式会社…研究所).
COMPANY_RE = re.compile(r"公司|株式会社|有限|集团|厂")
# owner_kind: "university" if the owner contains 大学/学院 and none of these.
INSTITUTE_RE = re.compile(r"研究院|研究所|科学院")
UNIVERSITY_RE = re.compile(r"大学|学院")
# Separators between several applicants.
APPLICANT_SEPARATORS = ";；,，、"

PATENTSEMANTIX_SOURCE_PREFIX = "Pinellia-0/PatentSemantix"
BDCI_DUPLICATE_ID_PREFIX = "bdci22A-"

# --- regions ----------------------------------------------------------------

XINJIANG_REGIONS = [
    "乌鲁木齐市",
    "克拉玛依市",
    "吐鲁番市",
    "哈密市",
    "昌吉回族自治州",
    "伊犁哈萨克自治州",
    "巴音郭楞蒙古自治州",
    "阿克苏地区",
    "喀什地区",
    "石河子市",
]
OTHER_REGION = "其他"

# Owners whose seat is known and differs from the generic "新疆 -> 乌鲁木齐市"
# rule below (checked before the place-name rules).
OWNER_REGION_OVERRIDES = {
    "新疆农垦科学院": "石河子市",
    "新疆农业职业技术学院": "昌吉回族自治州",
}
# Place names in an owner name -> region (first match wins; "新疆" alone
# defaults to the capital).
OWNER_PLACE_RULES = [
    ("乌鲁木齐", "乌鲁木齐市"),
    ("克拉玛依", "克拉玛依市"),
    ("吐鲁番", "吐鲁番市"),
    ("哈密", "哈密市"),
    ("昌吉", "昌吉回族自治州"),
    ("伊犁", "伊犁哈萨克自治州"),
    ("巴音郭楞", "巴音郭楞蒙古自治州"),
    ("库尔勒", "巴音郭楞蒙古自治州"),
    ("阿克苏", "阿克苏地区"),
    ("塔里木", "阿克苏地区"),  # 塔里木大学 is in Alar, inside Aksu prefecture
    ("喀什", "喀什地区"),
    ("石河子", "石河子市"),
    ("新疆", "乌鲁木齐市"),
]

# --- demo enterprises (fictitious) --------------------------------------------
# Order matters: it is the tie-break order of the topic rules and the order of
# the enterprise logins ent1..ent8.  Every name contains 演示.
ENTERPRISES = [
    {
        "topic": "materials",
        "name": "演示企业·新材料示例有限公司",
        "short": "新材料",
        "region": "哈密市",
        "keywords": [
            "材料", "合金", "耐火", "金刚石", "石墨烯", "陶瓷", "粉体", "纤维",
            "涂层", "不锈钢", "钢丝", "钢筋", "钢材", "冶炼", "冶金", "炼钢", "钢水",
            "铝", "镁", "钛", "锆", "氮化硼", "超硬", "单晶", "聚合物", "高分子",
            "橡胶", "塑料", "复合", "纳米", "晶体", "石膏", "混凝土", "线材",
            "熔铸", "镀", "防锈", "耐磨", "绝缘材料",
        ],
    },
    {
        "topic": "energy",
        "name": "演示企业·新能源示例有限公司",
        "short": "新能源",
        "region": "克拉玛依市",
        "keywords": [
            "电池", "锂", "新能源", "燃料电池", "光伏", "风电", "发电", "充电",
            "储能", "氢", "太阳能", "电解液", "负极", "电容器", "变压器", "断路器",
            "GIS", "绝缘子", "避雷器", "V2G", "能源", "余热", "节能", "电网",
            "输电", "电力", "天然气", "油气", "石油", "热管理", "能耗", "换电",
        ],
    },
    {
        "topic": "equipment",
        "name": "演示企业·智能装备示例有限公司",
        "short": "智能装备",
        "region": "巴音郭楞蒙古自治州",
        "keywords": [
            "设备", "装备", "机械", "机器人", "起重机", "自动化", "生产线", "数控",
            "电机", "轴承", "模具", "焊接", "智能制造", "汽车", "客车", "车辆",
            "悬架", "液压", "锻造", "铸造", "冲压", "钻机", "钻车", "切割",
            "激光", "刀片", "车削", "加工", "制造", "机床", "减速", "传动",
            "变速箱", "吊钩", "天车", "拖拉机", "装置", "工艺改进", "轧制", "轧机",
            "NVH", "整车", "车门", "副车架", "轻量化", "主轴", "挤压", "机组",
        ],
    },
    {
        "topic": "biomedicine",
        "name": "演示企业·生物医药示例有限公司",
        "short": "生物医药",
        "region": "伊犁哈萨克自治州",
        "keywords": [
            "药", "医", "疫苗", "细胞", "诊断", "肿瘤", "癌", "临床", "疾病",
            "胆碱酯酶", "血", "蛋白", "康复", "手术", "外科", "中药", "病理",
            "PCR", "内镜", "胰岛素", "解剖", "注射", "原料药", "生物制造",
            "甾体", "维生素", "DNA", "重编程", "视网膜", "髋关节",
        ],
    },
    {
        "topic": "it",
        "name": "演示企业·信息技术示例有限公司",
        "short": "信息技术",
        "region": "乌鲁木齐市",
        "keywords": [
            "软件", "平台", "大数据", "数据", "物联网", "人工智能", "算法", "信息化",
            "云", "互联网", "智慧", "图像", "通信", "通讯", "5G", "4G", "无线",
            "传感器", "遥感", "网络", "仿真", "虚拟现实", "数字化", "监控", "系统开发",
            "管理系统", "以太", "RFID", "机器视觉", "自动驾驶", "ADAS", "车联网",
            "信息", "控制系统", "测控", "监测", "定位", "导航", "天线", "雷达",
            "芯片", "半导体", "LED", "光源", "光学", "3D打印", "建模", "客户端",
        ],
    },
    {
        "topic": "agrifood",
        "name": "演示企业·农业食品示例有限公司",
        "short": "农业食品",
        "region": "石河子市",
        "keywords": [
            "农", "小麦", "玉米", "水稻", "种质", "品种", "育种", "选育", "养殖",
            "饲料", "食品", "茶", "大蒜", "蒜", "香菇", "菌类", "果园", "肥",
            "水产", "小龙虾", "虾", "鸽", "猪", "兽", "蜂", "油菜", "韭菜",
            "灌溉", "花椒", "葡萄", "酒", "秸秆", "冷链", "餐具", "植保", "西瓜",
            "辣椒", "朝天椒", "种植", "天然产物", "提取", "节水", "反刍", "禽",
            "作物", "膨化", "酿造",
        ],
    },
    {
        "topic": "chemicals",
        "name": "演示企业·煤化工示例有限公司",
        "short": "煤化工",
        "region": "昌吉回族自治州",
        "keywords": [
            "煤", "瓦斯", "焦炉", "焦化", "熄焦", "兰炭", "化工", "催化剂", "烯烃",
            "糠醛", "氨合成", "磺化", "盐酸", "制醇", "乳酸酯", "PAO", "合成",
            "反应", "水解", "加氢", "矿井", "煤矿", "采煤", "综采", "巷道",
            "矿山", "矿用", "掘进", "锚杆", "抽采", "煤层", "原盐", "电解槽",
            "氧化铝", "石灰", "窑", "造粒", "二氧化硫", "化学", "助剂", "矿",
        ],
    },
    {
        "topic": "environment",
        "name": "演示企业·环保示例有限公司",
        "short": "环保",
        "region": "吐鲁番市",
        "keywords": [
            "废水", "污水", "废弃物", "垃圾", "污泥", "固废", "除尘", "除雾",
            "脱硫", "排放", "环保", "治理", "挥发性有机物", "VOC", "雾霾",
            "水处理", "净水", "污染", "赤泥", "无害化", "资源化", "烟气", "湿地",
            "空气质量", "废渣", "冶炼渣", "污酸", "危废", "零排放", "废矿物油",
            "生态", "渗透", "雨水", "环境治理", "减排", "回收", "再生", "废旧",
        ],
    },
]
# Needs that match no keyword at all go to this enterprise.
FALLBACK_TOPIC = "equipment"
TITLE_WEIGHT = 3

STATIONS = [
    {
        "name": "演示创新驿站·乌鲁木齐高新区",
        "short": "乌鲁木齐高新区",
        "region": "乌鲁木齐市",
        "serves_topics": ["it", "energy", "equipment", "biomedicine"],
    },
    {
        "name": "演示创新驿站·昌吉",
        "short": "昌吉",
        "region": "昌吉回族自治州",
        "serves_topics": ["chemicals", "materials", "agrifood", "environment"],
    },
]
OPERATOR = {
    "name": "演示运营方·知识产权运营服务平台",
    "region": "乌鲁木齐市",
}
LOGIN_DOMAIN = "demo.matchmaker.local"
TOP_OWNER_USERS = 5


# --- helpers ------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl_gz(path: Path, records: list[dict]) -> None:
    """Write JSON Lines, gzip-compressed, with a timestamp-free header."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        for rec in records:
            gz.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            gz.write(b"\n")
    path.write_bytes(buf.getvalue())


def first_applicant(applicant: str) -> str:
    """Return the first of several applicants, trimmed.

    Separators inside parentheses (e.g. ``中山大学肿瘤防治中心(中山大学附属
    肿瘤医院、中山大学肿瘤研究所)``) belong to the name and are not split on.
    """
    depth = 0
    for i, ch in enumerate(applicant):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in APPLICANT_SEPARATORS:
            head = applicant[:i].strip()
            if head:
                return head
    return applicant.strip()


def is_academic(name: str | None) -> bool:
    return bool(name) and bool(ACADEMIC_RE.search(name)) and not COMPANY_RE.search(name)


def owner_kind(owner: str) -> str:
    if UNIVERSITY_RE.search(owner) and not INSTITUTE_RE.search(owner):
        return "university"
    return "institute"


def owner_region(owner: str) -> str:
    if owner in OWNER_REGION_OVERRIDES:
        return OWNER_REGION_OVERRIDES[owner]
    for place, region in OWNER_PLACE_RULES:
        if place in owner:
            return region
    return OTHER_REGION


def text_ok(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def stratum(rec: dict) -> int:
    """Technical-field stratum: gold label, else pseudo label, else -1."""
    for key in ("label_id", "pseudo_label_id"):
        value = rec.get(key)
        if value is not None:
            return int(value)
    return -1


def norm_text(value: str | None) -> str:
    """Comparison key for duplicate detection: as in the shared README's
    alignment, drop inline HTML tags and whitespace and lower-case."""
    value = re.sub(r"</?[a-zA-Z]+[^<>]*>", "", value or "")
    return re.sub(r"\s+", "", value).lower()


def with_owner(rec: dict) -> dict:
    out = dict(rec)  # original keys and values, unchanged
    owner = first_applicant(rec["applicant"])
    out["owner"] = owner
    out["owner_kind"] = owner_kind(owner)
    return out


# --- patents ------------------------------------------------------------------


def load_candidates(data_dir: Path) -> tuple[list[dict], list[dict]]:
    """Return (PatentSemantix records, eligible BDCI records), each with owner."""
    full = read_jsonl(data_dir / "patents" / "patents.jsonl")
    semantix = sorted(
        (r for r in full if str(r.get("source", "")).startswith(PATENTSEMANTIX_SOURCE_PREFIX)),
        key=lambda r: r["id"],
    )
    for rec in semantix:
        if not (is_academic(rec.get("applicant")) and text_ok(rec.get("title")) and text_ok(rec.get("abstract"))):
            raise SystemExit(f"PatentSemantix record {rec['id']} does not meet the selection rule")
    semantix = [with_owner(r) for r in semantix]

    bdci = read_jsonl(data_dir / "patents" / "patents_bdci2022.jsonl")
    # Records with competition ids first, so that the two `bdci22A-` copies
    # (same patent as a competition-id record) are the ones dropped.
    bdci.sort(key=lambda r: (r["id"].startswith(BDCI_DUPLICATE_ID_PREFIX), r["id"]))
    seen_ids = {r["id"] for r in semantix}
    seen_text: set[tuple[str, str]] = set()
    eligible = []
    for rec in bdci:
        if rec["id"] in seen_ids:
            continue
        if not (text_ok(rec.get("title")) and text_ok(rec.get("abstract"))):
            continue
        applicant = rec.get("applicant")
        if not is_academic(applicant):
            continue
        if not is_academic(first_applicant(applicant)):
            continue
        key = (norm_text(rec["title"]), norm_text(rec["abstract"]))
        if key in seen_text:
            continue
        seen_ids.add(rec["id"])
        seen_text.add(key)
        eligible.append(with_owner(rec))
    eligible.sort(key=lambda r: r["id"])
    return semantix, eligible


def select_patents(
    semantix: list[dict],
    eligible: list[dict],
    target: int,
    top_owners: int,
    per_owner_cap: int,
    seed: int,
) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    by_owner: dict[str, list[dict]] = collections.defaultdict(list)
    for rec in eligible:
        by_owner[rec["owner"]].append(rec)
    ranked = sorted(by_owner, key=lambda o: (-len(by_owner[o]), o))

    # 1. always: the PatentSemantix full-schema records;
    # 2. always: every record of an owner located in Xinjiang (few, but they
    #    make the Xinjiang demo plausible);
    # 3. all records of the top owners (shrunk if the target is small);
    # 4. fill: round-robin over technical-field strata, capped per owner.
    fixed = list(semantix)
    xinjiang_owners = sorted(o for o in by_owner if owner_region(o) != OTHER_REGION)
    for owner in xinjiang_owners:
        fixed.extend(by_owner[owner])
    top = [o for o in ranked if o not in xinjiang_owners][:top_owners]
    while top and len(fixed) + sum(len(by_owner[o]) for o in top) > target:
        top.pop()
    for owner in top:
        fixed.extend(by_owner[owner])

    taken_owners = set(xinjiang_owners) | set(top)
    per_owner = collections.Counter(r["owner"] for r in fixed)
    strata: dict[int, list[dict]] = collections.defaultdict(list)
    for rec in eligible:
        if rec["owner"] not in taken_owners:
            strata[stratum(rec)].append(rec)
    queues = []
    for label in sorted(strata):
        items = list(strata[label])  # already sorted by id
        rng.shuffle(items)
        queues.append(collections.deque(items))

    fill: list[dict] = []
    need = max(0, target - len(fixed))
    while len(fill) < need and any(queues):
        for queue in queues:
            if len(fill) >= need:
                break
            while queue:
                rec = queue.popleft()
                if per_owner[rec["owner"]] < per_owner_cap:
                    per_owner[rec["owner"]] += 1
                    fill.append(rec)
                    break

    selected = sorted(fixed + fill, key=lambda r: r["id"])
    info = {
        "eligible": len(eligible) + len(semantix),
        "eligible_owners": len(by_owner) + len({r["owner"] for r in semantix} - set(by_owner)),
        "semantix": len(semantix),
        "xinjiang_owners": xinjiang_owners,
        "xinjiang_records": sum(len(by_owner[o]) for o in xinjiang_owners),
        "top_owners": top,
        "top_records": sum(len(by_owner[o]) for o in top),
        "fill": len(fill),
    }
    return selected, info


# --- needs ----------------------------------------------------------------------


def classify_need(need: dict) -> str:
    title = need.get("title") or ""
    text = need.get("text") or ""
    best_topic, best_score = FALLBACK_TOPIC, 0
    for ent in ENTERPRISES:  # fixed order = tie-break order
        score = 0
        for kw in ent["keywords"]:
            score += TITLE_WEIGHT * title.count(kw) + min(text.count(kw), 3)
        if score > best_score:
            best_topic, best_score = ent["topic"], score
    return best_topic


def build_needs(data_dir: Path) -> tuple[list[dict], dict]:
    raw = read_jsonl(data_dir / "needs" / "needs.jsonl")  # source order kept
    by_topic = {e["topic"]: e for e in ENTERPRISES}
    out = []
    dropped_dup = dropped_empty = 0
    for need in raw:
        if need.get("duplicate_of") is not None:
            dropped_dup += 1
            continue
        if not text_ok(need.get("text")):
            dropped_empty += 1
            continue
        ent = by_topic[classify_need(need)]
        rec = dict(need)
        rec["enterprise"] = ent["name"]
        rec["enterprise_region"] = ent["region"]
        out.append(rec)
    return out, {"raw": len(raw), "dropped_duplicates": dropped_dup, "dropped_empty": dropped_empty}


# --- organizations and users ------------------------------------------------------


def build_organizations(patents: list[dict], needs: list[dict]) -> dict:
    patent_counts = collections.Counter(r["owner"] for r in patents)
    kinds = {r["owner"]: r["owner_kind"] for r in patents}
    need_counts = collections.Counter(n["enterprise"] for n in needs)
    by_topic = {e["topic"]: e for e in ENTERPRISES}

    orgs: list[dict] = [
        {"name": OPERATOR["name"], "kind": "operator", "region": OPERATOR["region"], "fictitious": True}
    ]
    for st in STATIONS:
        orgs.append({
            "name": st["name"],
            "kind": "station",
            "region": st["region"],
            "fictitious": True,
            "serves": [by_topic[t]["name"] for t in st["serves_topics"]],
        })
    for ent in ENTERPRISES:
        orgs.append({
            "name": ent["name"],
            "kind": "enterprise",
            "region": ent["region"],
            "fictitious": True,
            "topic": ent["topic"],
            "need_count": need_counts[ent["name"]],
        })
    owners = sorted(patent_counts, key=lambda o: (-patent_counts[o], o))
    for owner in owners:
        orgs.append({
            "name": owner,
            "kind": kinds[owner],
            "region": owner_region(owner),
            "fictitious": False,
            "patent_count": patent_counts[owner],
        })

    users: list[dict] = []
    for i, ent in enumerate(ENTERPRISES, 1):
        users.append({
            "login": f"ent{i}@{LOGIN_DOMAIN}",
            "display_name": f"演示用户·{ent['short']}企业技术负责人",
            "organization": ent["name"],
        })
    for i, st in enumerate(STATIONS, 1):
        users.append({
            "login": f"station{i}@{LOGIN_DOMAIN}",
            "display_name": f"演示用户·{st['short']}驿站专员",
            "organization": st["name"],
        })
    users.append({
        "login": f"operator@{LOGIN_DOMAIN}",
        "display_name": "演示用户·平台运营专员",
        "organization": OPERATOR["name"],
    })
    counters = collections.Counter()
    for owner in owners[:TOP_OWNER_USERS]:
        prefix = "uni" if kinds[owner] == "university" else "inst"
        counters[prefix] += 1
        users.append({
            "login": f"{prefix}{counters[prefix]}@{LOGIN_DOMAIN}",
            "display_name": f"演示用户·{owner}成果转化专员",
            "organization": owner,
        })
    first_seen: set[str] = set()
    for user in users:
        user["role"] = "admin" if user["organization"] not in first_seen else "member"
        first_seen.add(user["organization"])

    return {
        "note": (
            "Demo organizations and logins. Patent owners are the real applicants of the shipped "
            "patents; enterprises, stations, the operator and all users are fictitious (名称含“演示”). "
            "Regions of enterprises are demo assignments. Passwords are generated by the app. "
            "Generated by scripts/build_demo_data.py."
        ),
        "regions": XINJIANG_REGIONS + [OTHER_REGION],
        "organizations": orgs,
        "users": users,
    }


# --- main ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                    help="shared data directory (default: ../shared/data relative to the project root)")
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                    help="output directory (default: matchmaker/demo/data)")
    ap.add_argument("--patents", type=int, default=3000, help="number of patents to ship (default 3000)")
    ap.add_argument("--top-owners", type=int, default=14,
                    help="owners whose records are all taken (default 14)")
    ap.add_argument("--per-owner-cap", type=int, default=10,
                    help="max records per other owner in the stratified fill (default 10)")
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args(argv)

    data_dir = args.data_dir.resolve()
    out_dir = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    semantix, eligible = load_candidates(data_dir)
    patents, pinfo = select_patents(semantix, eligible, args.patents, args.top_owners,
                                    args.per_owner_cap, args.seed)
    needs, ninfo = build_needs(data_dir)
    orgs = build_organizations(patents, needs)

    write_jsonl_gz(out_dir / "patents.jsonl.gz", patents)
    write_jsonl_gz(out_dir / "needs.jsonl.gz", needs)
    (out_dir / "organizations.json").write_text(
        json.dumps(orgs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # --- report ---
    p = print
    p(f"eligible university/institute patents: {pinfo['eligible']} "
      f"({pinfo['eligible_owners']} owners)")
    p(f"selected patents: {len(patents)} = {pinfo['semantix']} PatentSemantix "
      f"+ {pinfo['xinjiang_records']} Xinjiang-owner + {pinfo['top_records']} "
      f"top-{len(pinfo['top_owners'])}-owner + {pinfo['fill']} stratified fill")
    kinds = collections.Counter(r["owner_kind"] for r in patents)
    p("patents per owner kind: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    owner_counts = collections.Counter(r["owner"] for r in patents)
    p(f"distinct owners: {len(owner_counts)}")
    p("top owners:")
    for owner, n in sorted(owner_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]:
        p(f"  {n:4d}  {owner}")
    p("Xinjiang owners: " + ", ".join(f"{o} ({owner_counts[o]})" for o in pinfo["xinjiang_owners"]))
    strata = collections.Counter(stratum(r) for r in patents)
    p(f"technical-field strata covered: {len(strata)} "
      f"(min {min(strata.values())}, max {max(strata.values())} per stratum)")
    p(f"needs: {len(needs)} kept of {ninfo['raw']} "
      f"(dropped {ninfo['dropped_duplicates']} duplicates, {ninfo['dropped_empty']} empty texts)")
    p("needs per demo enterprise:")
    need_counts = collections.Counter(n["enterprise"] for n in needs)
    for ent in ENTERPRISES:
        p(f"  {need_counts[ent['name']]:4d}  {ent['name']}  [{ent['region']}]")
    org_kinds = collections.Counter(o["kind"] for o in orgs["organizations"])
    p("organizations: " + ", ".join(f"{k}={v}" for k, v in sorted(org_kinds.items())))
    p("users: " + ", ".join(u["login"] for u in orgs["users"]))
    total = 0
    for path in sorted(out_dir.iterdir()):
        size = path.stat().st_size
        total += size
        p(f"  {size:>9,d}  {path.name}")
    p(f"  {total:>9,d}  total in {out_dir}")
    if total > 4 * 1024 * 1024:
        p("WARNING: demo data exceeds 4 MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
