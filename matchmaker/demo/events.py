"""Demo enterprise profiles in several districts (one large enterprise and SMEs of every
class, start-ups and COVID-hit ones among them), so the SME indicator, the filters and the
split by district have something to show."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..models import Organization, User
from ..profiles.service import ProfileInput, save_profile

# enterprise name → (district, industry, sector, employees, revenue 万元, founded, 专精特新,
# high-tech, COVID-affected)
PROFILES = {
    "演示企业·新材料示例有限公司": ("伊州区", "新材料", "industry", 120, 6000, 2012, True, True, False),
    "演示企业·新能源示例有限公司": ("克拉玛依区", "新能源", "industry", 45, 1500, -2, False, False, False),
    "演示企业·智能装备示例有限公司": ("库尔勒市", "高端装备", "industry", 260, 12000, 2009, True, True, False),
    "演示企业·生物医药示例有限公司": ("伊宁市", "生物医药", "industry", 15, 200, 2016, False, False, True),
    "演示企业·信息技术示例有限公司": ("新市区", "信息技术", "software", 80, 900, -1, False, True, False),
    "演示企业·农业食品示例有限公司": ("石河子市", "农产品加工", "industry", 320, 25000, 2005, False, False, True),
    "演示企业·煤化工示例有限公司": ("阜康市", "煤化工", "industry", 1800, 60000, 2003, False, True, False),
    "演示企业·环保示例有限公司": ("高昌区", "节能环保", "industry", 60, 2500, 2014, False, False, False),
}


def create_demo_profiles(session: Session, users: dict[str, User], orgs: dict[str, Organization],
                         today: date) -> int:
    """Profiles entered by each demo enterprise itself (a negative founding year is relative to
    today: the start-ups stay start-ups whenever the demo is loaded)."""
    made = 0
    for name, (district, industry, sector, staff, revenue, founded, spec, tech, covid) in PROFILES.items():
        org, user = orgs.get(name), users.get(name)
        if org is None or user is None:
            continue
        year = today.year + founded if founded < 0 else founded
        save_profile(session, user, org.id, ProfileInput(
            sector=sector, employees=str(staff), revenue_wan=str(revenue), founded_year=str(year),
            specialized=spec, high_tech=tech, covid_affected=covid, district=district,
            industry=industry), today=today)
        made += 1
    return made
