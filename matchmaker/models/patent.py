"""Patents listed by universities and institutes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..text.titles import derived_title
from .enums import LegalStatus, ListingState, PatentType
from .organization import Organization
from .types import UTCDateTime, enum_column


class Patent(Base):
    __tablename__ = "patents"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    pub_no: Mapped[str | None] = mapped_column(String(40), index=True)
    # Key of the record in the file it was imported from (e.g. the shared corpus `id`).
    source_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text, default="")
    first_claim: Mapped[str] = mapped_column(Text, default="")
    ipc_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    patent_type: Mapped[PatentType | None] = mapped_column(enum_column(PatentType))
    legal_status: Mapped[LegalStatus] = mapped_column(enum_column(LegalStatus),
                                                      default=LegalStatus.UNKNOWN)
    filing_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    term_extension_days: Mapped[int] = mapped_column(Integer, default=0)
    expiry_date: Mapped[date | None] = mapped_column(Date, index=True)
    inventors: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    industry_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    readiness: Mapped[int | None] = mapped_column(Integer)  # technology readiness level 1–9
    scenarios: Mapped[str] = mapped_column(Text, default="")
    knowhow_included: Mapped[bool] = mapped_column(Boolean, default=False)
    listing_state: Mapped[ListingState] = mapped_column(enum_column(ListingState),
                                                        default=ListingState.DRAFT, index=True)
    # Custody of an enterprise's own patent: the owner's annuity reduction (0, 70 or 85 %) and
    # since when it is at risk of termination (an annuity unpaid past its grace period).
    annuity_reduction: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    annuity_risk_since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    owner: Mapped[Organization] = relationship()
    ipc_entries: Mapped[list["PatentIPC"]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentIPC.position")
    # Every licence offer ever published for it (search shows and filters the active ones).
    offers: Mapped[list["LicenceOffer"]] = relationship(  # noqa: F821 (licensing model)
        viewonly=True, order_by="LicenceOffer.id")

    @property
    def active_offers(self) -> list:
        from .enums import OfferState
        return [o for o in self.offers if o.state == OfferState.ACTIVE]

    @property
    def display_title(self) -> str:
        """The title, or for records imported without one the abstract's "一种…" phrase,
        else its opening words: lists never show an empty heading."""
        if self.title:
            return self.title
        abstract = self.abstract or ""
        return (derived_title(abstract) or (abstract[:40] + "…" if len(abstract) > 40 else abstract)
                or self.app_no or "（无标题）")

    def is_expired(self, today: date) -> bool:
        return self.expiry_date is not None and self.expiry_date < today

    def __repr__(self) -> str:
        return f"<Patent {self.id} {self.app_no or self.source_id}>"


class PatentIPC(Base):
    """One IPC code of a patent, split so lists can be filtered by section, class or subclass."""

    __tablename__ = "patent_ipc"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20))         # e.g. "H01M 10/052"
    section: Mapped[str] = mapped_column(String(1), index=True)    # "H"
    ipc_class: Mapped[str] = mapped_column(String(3), index=True)  # "H01"
    subclass: Mapped[str] = mapped_column(String(4), index=True)   # "H01M"

    patent: Mapped[Patent] = relationship(back_populates="ipc_entries")
