"""An enterprise's profile: what the plan needs to know to count and prioritize SMEs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import LABELS, LabelledEnum
from .organization import Organization, User
from .types import UTCDateTime, enum_column


class SizeClass(LabelledEnum):
    """The national SME classification (中小企业划型标准规定, 工信部联企业〔2011〕300号)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def is_sme(self) -> bool:
        return self is not SizeClass.LARGE


class Sector(LabelledEnum):
    """The sectors of the classification whose thresholds the platform applies."""

    INDUSTRY = "industry"
    SOFTWARE = "software"
    AGRICULTURE = "agriculture"
    WHOLESALE = "wholesale"
    RETAIL = "retail"
    OTHER = "other"


LABELS.update({(type(m), m.value): text for m, text in (
    (SizeClass.MICRO, "微型企业"), (SizeClass.SMALL, "小型企业"), (SizeClass.MEDIUM, "中型企业"),
    (SizeClass.LARGE, "大型企业"),
    (Sector.INDUSTRY, "工业"), (Sector.SOFTWARE, "软件和信息技术服务业"),
    (Sector.AGRICULTURE, "农、林、牧、渔业"), (Sector.WHOLESALE, "批发业"), (Sector.RETAIL, "零售业"),
    (Sector.OTHER, "其他未列明行业"),
)})


class EnterpriseProfile(Base):
    """One row per enterprise (kept apart from `organizations`, which every kind shares).

    `size_class` is derived from sector, employees and revenue when saved, so KPI queries can
    filter on it; None while the figures are missing."""

    __tablename__ = "enterprise_profiles"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), default=Sector.INDUSTRY)
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue_wan: Mapped[int | None] = mapped_column(Integer)       # previous year, 万元
    size_class: Mapped[SizeClass | None] = mapped_column(enum_column(SizeClass), index=True)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    specialized: Mapped[bool] = mapped_column(Boolean, default=False)   # 专精特新
    high_tech: Mapped[bool] = mapped_column(Boolean, default=False)     # 高新技术企业
    covid_affected: Mapped[bool] = mapped_column(Boolean, default=False)
    district: Mapped[str] = mapped_column(String(32), default="", index=True)
    industry: Mapped[str] = mapped_column(String(32), default="其他")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Organization] = relationship()
    updated_by: Mapped[User | None] = relationship()
