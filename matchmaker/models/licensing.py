"""Licence offers on listed patents, deals that follow them, and the deal event log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, Date, Float, ForeignKey, Integer, String,
                        Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import DealState, LicenceType, OfferState, PaymentMode
from .need import Need
from .organization import Organization, User
from .patent import Patent
from .types import UTCDateTime, enum_column


class LicenceOffer(Base):
    """What the owner offers: a free period, then paid terms (or a transfer price).

    Amounts are whole yuan; a royalty is a percentage of net sales or profit.
    """

    __tablename__ = "licence_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    licence_type: Mapped[LicenceType] = mapped_column(enum_column(LicenceType))
    free_months: Mapped[int] = mapped_column(Integer, default=0)
    payment_mode: Mapped[PaymentMode] = mapped_column(enum_column(PaymentMode))
    lump_sum_yuan: Mapped[int | None] = mapped_column(BigInteger)
    entry_fee_yuan: Mapped[int | None] = mapped_column(BigInteger)
    royalty_pct: Mapped[float | None] = mapped_column(Float)
    transfer_price_yuan: Mapped[int | None] = mapped_column(BigInteger)
    term_months: Mapped[int] = mapped_column(Integer, default=12)
    territory: Mapped[str] = mapped_column(String(100), default="中国大陆")
    field_of_use: Mapped[str] = mapped_column(String(200), default="")
    knowhow_included: Mapped[bool] = mapped_column(Boolean, default=False)
    support_included: Mapped[bool] = mapped_column(Boolean, default=False)
    # Open licence (开放许可): the published fee standard and payment method.
    fee_standard: Mapped[str] = mapped_column(Text, default="")
    payment_method: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[OfferState] = mapped_column(enum_column(OfferState), default=OfferState.ACTIVE,
                                              index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    patent: Mapped[Patent] = relationship()
    created_by: Mapped[User | None] = relationship()


class Deal(Base):
    """One enterprise's licence (or transfer) of one patent, from request to conversion.

    `version` is an optimistic lock: an update that finds another version fails, so two people
    acting on the same deal at once cannot both succeed.
    """

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("licence_offers.id"), index=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The station whose broker requested it on the enterprise's behalf (or took it over).
    station_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    licence_type: Mapped[LicenceType] = mapped_column(enum_column(LicenceType))
    terms: Mapped[dict] = mapped_column(JSON, default=dict)      # the offer's terms when requested
    state: Mapped[DealState] = mapped_column(enum_column(DealState), default=DealState.REQUESTED,
                                             index=True)
    free_start: Mapped[date | None] = mapped_column(Date)
    free_end: Mapped[date | None] = mapped_column(Date, index=True)
    effective_date: Mapped[date | None] = mapped_column(Date)
    contract_value_yuan: Mapped[int | None] = mapped_column(BigInteger)
    recordal_due: Mapped[date | None] = mapped_column(Date)
    recordal_no: Mapped[str] = mapped_column(String(60), default="")
    recordal_date: Mapped[date | None] = mapped_column(Date)
    contract_reg_no: Mapped[str] = mapped_column(String(60), default="")
    # The roadshow or matchmaking event the request came out of (KPI "deals from events").
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    # A step one party proposed that waits for the other side (licensing/consent.py): its target,
    # terms (start, amount, note, who, when) and one flag per side still to agree.
    pending_to: Mapped[DealState | None] = mapped_column(enum_column(DealState))
    pending: Mapped[dict] = mapped_column(JSON, default=dict)
    awaits_owner: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    awaits_enterprise: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    offer: Mapped[LicenceOffer] = relationship()
    patent: Mapped[Patent] = relationship()
    enterprise: Mapped[Organization] = relationship(foreign_keys=[enterprise_id])
    station: Mapped[Organization | None] = relationship(foreign_keys=[station_id])
    need: Mapped[Need | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
    events: Mapped[list["DealEvent"]] = relationship(back_populates="deal",
                                                     order_by="DealEvent.id")


class DealEvent(Base):
    """One transition (or recorded fact) of a deal: append-only, the source of every KPI."""

    __tablename__ = "deal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))   # None: the system (tick)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    from_state: Mapped[DealState | None] = mapped_column(enum_column(DealState))
    to_state: Mapped[DealState] = mapped_column(enum_column(DealState), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    amount_yuan: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    deal: Mapped[Deal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class FollowUp(Base):
    """A broker's follow-up note on a deal or a need (station workspace)."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()
