"""Properties of the shipped demo data in matchmaker/demo/data/.

The files are produced by scripts/build_demo_data.py; these tests check the
files as shipped (read from the repository path, not from an installed copy).
"""

from __future__ import annotations

import collections
import gzip
import json
import re
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "matchmaker" / "demo" / "data"

XINJIANG_REGIONS = {
    "乌鲁木齐市", "克拉玛依市", "吐鲁番市", "哈密市", "昌吉回族自治州",
    "伊犁哈萨克自治州", "巴音郭楞蒙古自治州", "阿克苏地区", "喀什地区", "石河子市",
}
DEMO_KINDS = {"enterprise", "station", "operator"}
OWNER_KINDS = {"university", "institute"}


def _read_jsonl_gz(name: str) -> list[dict]:
    with gzip.open(DATA_DIR / name, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def patents() -> list[dict]:
    return _read_jsonl_gz("patents.jsonl.gz")


@pytest.fixture(scope="module")
def needs() -> list[dict]:
    return _read_jsonl_gz("needs.jsonl.gz")


@pytest.fixture(scope="module")
def orgdata() -> dict:
    return json.loads((DATA_DIR / "organizations.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def orgs(orgdata) -> dict[str, dict]:
    return {o["name"]: o for o in orgdata["organizations"]}


def _nonempty(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --- files ---------------------------------------------------------------------


def test_files_exist_and_total_size_is_small():
    for name in ("patents.jsonl.gz", "needs.jsonl.gz", "organizations.json", "README.md"):
        assert (DATA_DIR / name).is_file(), name
    total = sum(p.stat().st_size for p in DATA_DIR.iterdir() if p.is_file())
    assert total < 4 * 1024 * 1024


# --- patents -------------------------------------------------------------------


def test_patents_have_required_fields(patents):
    assert 2500 <= len(patents) <= 3500
    for rec in patents:
        for key in ("id", "title", "abstract", "owner", "applicant"):
            assert _nonempty(rec.get(key)), (rec.get("id"), key)
        assert rec["owner_kind"] in OWNER_KINDS


def test_patent_ids_are_unique(patents):
    ids = [r["id"] for r in patents]
    assert len(ids) == len(set(ids))


def test_patent_applicants_are_universities_or_institutes(patents):
    academic = re.compile(r"大学|学院|研究院|研究所|科学院")
    company = re.compile(r"公司|株式会社|有限|集团|厂")
    for rec in patents:
        assert academic.search(rec["applicant"]) and not company.search(rec["applicant"]), rec["id"]
        owner = rec["owner"]
        assert owner == owner.strip()
        assert rec["applicant"].strip().startswith(owner), rec["id"]
        assert academic.search(owner) and not company.search(owner), rec["id"]


def test_owner_kind_follows_the_name_rule(patents):
    for rec in patents:
        owner = rec["owner"]
        is_univ = bool(re.search(r"大学|学院", owner)) and not re.search(r"研究院|研究所|科学院", owner)
        assert rec["owner_kind"] == ("university" if is_univ else "institute"), owner


def test_patentsemantix_full_schema_records_are_included(patents):
    full = [r for r in patents if str(r.get("source", "")).startswith("Pinellia-0/PatentSemantix")]
    assert len(full) == 10
    for rec in full:
        assert rec["app_no"] and rec["ipc"] and rec["type"] and rec["app_date"] and rec["legal_status"]
        assert rec["owner"] == "中科大数据研究院"
        assert rec["owner_kind"] == "institute"


def test_patents_are_diverse(patents):
    owners = collections.Counter(r["owner"] for r in patents)
    assert len(owners) >= 300
    # the largest owner does not dominate the demo
    assert owners.most_common(1)[0][1] <= 0.1 * len(patents)
    kinds = collections.Counter(r["owner_kind"] for r in patents)
    assert kinds["university"] > 0 and kinds["institute"] > 0
    labels = {r.get("label_id") if r.get("label_id") is not None else r.get("pseudo_label_id") for r in patents}
    assert len(labels - {None}) >= 30


# --- needs ---------------------------------------------------------------------


def test_needs_are_real_non_duplicate_and_non_empty(needs):
    assert 300 <= len(needs) <= 371
    ids = [n["id"] for n in needs]
    assert len(ids) == len(set(ids))
    for need in needs:
        assert need["duplicate_of"] is None
        assert _nonempty(need["title"]) and _nonempty(need["text"])
        assert need["source"].startswith("yuyuLJY/project_similar2")


def test_need_enterprises_are_demo_enterprises(needs, orgs):
    for need in needs:
        org = orgs.get(need["enterprise"])
        assert org is not None, need["enterprise"]
        assert org["kind"] == "enterprise"
        assert need["enterprise_region"] in XINJIANG_REGIONS
        assert need["enterprise_region"] == org["region"]


def test_every_demo_enterprise_has_needs(needs, orgs):
    counts = collections.Counter(n["enterprise"] for n in needs)
    enterprises = [name for name, o in orgs.items() if o["kind"] == "enterprise"]
    assert 6 <= len(enterprises) <= 10
    for name in enterprises:
        assert counts[name] > 0, name


# --- organizations ----------------------------------------------------------------


def test_organization_names_are_unique(orgdata):
    names = [o["name"] for o in orgdata["organizations"]]
    assert len(names) == len(set(names))


def test_every_owner_is_an_organization_of_the_right_kind(patents, orgs):
    for rec in patents:
        org = orgs.get(rec["owner"])
        assert org is not None, rec["owner"]
        assert org["kind"] == rec["owner_kind"], rec["owner"]
    owners = {r["owner"] for r in patents}
    listed = {name for name, o in orgs.items() if o["kind"] in OWNER_KINDS}
    assert listed == owners


def test_demo_organizations_are_labelled(orgs):
    kinds = collections.Counter(o["kind"] for o in orgs.values())
    assert kinds["station"] == 2 and kinds["operator"] == 1
    for name, org in orgs.items():
        assert org["kind"] in DEMO_KINDS | OWNER_KINDS
        if org["kind"] in DEMO_KINDS:
            assert "演示" in name, name
            assert org["fictitious"] is True
        else:
            assert "演示" not in name, name
            assert org["fictitious"] is False


def test_regions(orgs):
    for name, org in orgs.items():
        if org["kind"] in DEMO_KINDS:
            assert org["region"] in XINJIANG_REGIONS, name
        else:
            assert org["region"] in XINJIANG_REGIONS | {"其他"}, name
    assert orgs["石河子大学"]["region"] == "石河子市"
    assert orgs["浙江大学"]["region"] == "其他"


def test_stations_serve_existing_enterprises(orgs):
    enterprises = {n for n, o in orgs.items() if o["kind"] == "enterprise"}
    served = []
    for org in orgs.values():
        if org["kind"] == "station":
            assert org["serves"], org["name"]
            assert set(org["serves"]) <= enterprises
            served.extend(org["serves"])
    assert sorted(served) == sorted(enterprises)  # each enterprise by exactly one station


# --- users -----------------------------------------------------------------------


def test_users_belong_to_existing_organizations(orgdata, orgs):
    users = orgdata["users"]
    logins = [u["login"] for u in users]
    assert len(logins) == len(set(logins))
    seen_orgs = set()
    for user in users:
        assert set(user) == {"login", "display_name", "organization", "role"}, user
        assert user["login"].endswith("@demo.matchmaker.local")
        assert "演示" in user["display_name"]
        assert user["organization"] in orgs
        expected_role = "admin" if user["organization"] not in seen_orgs else "member"
        assert user["role"] == expected_role
        seen_orgs.add(user["organization"])


def test_users_cover_every_demo_org_and_top_owners(orgdata, orgs, patents):
    user_orgs = {u["organization"] for u in orgdata["users"]}
    for name, org in orgs.items():
        if org["kind"] in DEMO_KINDS:
            assert name in user_orgs, name
    counts = collections.Counter(r["owner"] for r in patents)
    top5 = [o for o, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    assert set(top5) <= user_orgs


def test_no_passwords_are_shipped(orgdata):
    def keys(obj):
        if isinstance(obj, dict):
            for key, value in obj.items():
                yield key
                yield from keys(value)
        elif isinstance(obj, list):
            for item in obj:
                yield from keys(item)

    for key in keys(orgdata):
        assert "pass" not in key.lower() and "secret" not in key.lower(), key
