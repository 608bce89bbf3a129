"""The national SME classification (中小企业划型标准规定, 工信部联企业〔2011〕300号), as data.

Per sector: the ceiling below which an enterprise is an SME at all (employees *or* revenue
under it), then the lower bounds of medium and small (both must be met, else one class down;
micro below small). Revenue in 万元 of the previous year. Only the sectors the platform's
industries fall into are listed; the 2011 thresholds are the ones in force *[verify]* and live
here alone, so a revision is one table change.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models.profile import Sector, SizeClass

STARTUP_YEARS = 3     # founded this many years ago or less: an initial-stage enterprise (初创企业)


@dataclass(frozen=True)
class Thresholds:
    """`None` means the sector is classified on the other figure alone."""

    sme_employees: int | None         # an SME has fewer employees than this …
    sme_revenue: int | None           # … or less revenue than this (万元)
    medium: tuple[int | None, int | None]   # (employees, revenue) lower bounds of medium
    small: tuple[int | None, int | None]


THRESHOLDS: dict[Sector, Thresholds] = {
    Sector.INDUSTRY: Thresholds(1000, 40000, (300, 2000), (20, 300)),
    Sector.SOFTWARE: Thresholds(300, 10000, (100, 1000), (10, 50)),
    Sector.AGRICULTURE: Thresholds(None, 20000, (None, 500), (None, 50)),
    Sector.WHOLESALE: Thresholds(200, 40000, (20, 5000), (5, 1000)),
    Sector.RETAIL: Thresholds(300, 20000, (50, 500), (10, 100)),
    Sector.OTHER: Thresholds(300, None, (100, None), (10, None)),
}

# The platform's industries (models.INDUSTRIES) and the sector each is classified in by default.
INDUSTRY_SECTOR: dict[str, Sector] = {"信息技术": Sector.SOFTWARE, "节水农业": Sector.AGRICULTURE,
                                      "其他": Sector.OTHER}


def default_sector(industry: str) -> Sector:
    """The sector an industry is classified in unless the enterprise says otherwise.

    >>> default_sector("新材料").value, default_sector("信息技术").value
    ('industry', 'software')
    """
    return INDUSTRY_SECTOR.get(industry, Sector.INDUSTRY)


def needs(sector: Sector) -> tuple[bool, bool]:
    """Which figures the sector's classification reads: (employees, revenue)."""
    t = THRESHOLDS[sector]
    return t.sme_employees is not None, t.sme_revenue is not None


def _meets(bounds: tuple[int | None, int | None], employees: int, revenue: int) -> bool:
    low_e, low_r = bounds
    return (low_e is None or employees >= low_e) and (low_r is None or revenue >= low_r)


def classify(sector: Sector, employees: int | None, revenue_wan: int | None) -> SizeClass | None:
    """The size class, or None when a figure the sector needs is missing.

    >>> I = Sector.INDUSTRY
    >>> [classify(I, *f).value for f in ((1000, 40000), (999, 90000), (300, 2000), (2000, 1999), (20, 300), (19, 5000))]
    ['large', 'medium', 'medium', 'small', 'small', 'micro']
    >>> classify(Sector.SOFTWARE, 120, 900).value, classify(Sector.AGRICULTURE, None, 600).value
    ('small', 'medium')
    >>> classify(I, 50, None) is None
    True
    """
    t = THRESHOLDS[sector]
    use_e, use_r = needs(sector)
    if (use_e and employees is None) or (use_r and revenue_wan is None):
        return None
    e, r = employees or 0, revenue_wan or 0
    sme = (use_e and e < t.sme_employees) or (use_r and r < t.sme_revenue)
    if not sme:
        return SizeClass.LARGE
    if _meets(t.medium, e, r):
        return SizeClass.MEDIUM
    if _meets(t.small, e, r):
        return SizeClass.SMALL
    return SizeClass.MICRO


def is_startup(founded_year: int | None, year: int) -> bool:
    """Founded at most STARTUP_YEARS years before `year` (the plan's 初创企业).

    >>> is_startup(2022, 2025), is_startup(2021, 2025), is_startup(None, 2025)
    (True, False, False)
    """
    return founded_year is not None and 0 <= year - founded_year <= STARTUP_YEARS
