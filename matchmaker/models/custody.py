"""IP custody: agreements between an enterprise and a service agency, their history, the
agency's service log, and annuity payments of the enterprise's own patents."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import AgreementState, ServiceLogKind, VoucherKind
from .organization import Organization, User
from .patent import Patent
from .history import StateChangeColumns
from .types import UTCDateTime, enum_column


class CustodyAgreement(Base):
    """An enterprise hands (part of) its IP affairs to an agency for a period; both confirm.

    Paid by fee or by a government voucher (创新券/服务券: number and value recorded, they count
    towards the plan's indicator). A renewal is a new agreement pointing at the old one."""

    __tablename__ = "custody_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    fee_yuan: Mapped[int | None] = mapped_column(BigInteger)
    voucher_kind: Mapped[VoucherKind] = mapped_column(enum_column(VoucherKind), default=VoucherKind.NONE)
    voucher_no: Mapped[str] = mapped_column(String(60), default="")
    voucher_value_yuan: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[AgreementState] = mapped_column(enum_column(AgreementState),
                                                  default=AgreementState.PROPOSED, index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("custody_agreements.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Organization] = relationship(foreign_keys=[enterprise_id])
    agency: Mapped[Organization] = relationship(foreign_keys=[agency_id])
    proposed_by: Mapped[Organization] = relationship(foreign_keys=[proposed_by_id])
    events: Mapped[list["CustodyEvent"]] = relationship(
        back_populates="agreement", order_by="CustodyEvent.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class CustodyEvent(StateChangeColumns, Base):
    """One step of an agreement's history (who, when, from → to, why)."""

    __tablename__ = "custody_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("custody_agreements.id", ondelete="CASCADE"),
                                              index=True)

    agreement: Mapped[CustodyAgreement] = relationship(back_populates="events")


class ServiceLogEntry(Base):
    """What the agency did for a client: visits, advice, documents filed, fees paid."""

    __tablename__ = "custody_service_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[ServiceLogKind] = mapped_column(enum_column(ServiceLogKind))
    occurred_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Organization] = relationship(foreign_keys=[agency_id])
    enterprise: Mapped[Organization] = relationship(foreign_keys=[enterprise_id])
    author: Mapped[User | None] = relationship()


class AnnuityPayment(Base):
    """A paid annuity of one patent year (the late fee and receipt number included)."""

    __tablename__ = "annuity_payments"
    __table_args__ = (UniqueConstraint("patent_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_yuan: Mapped[int] = mapped_column(BigInteger)
    late_fee_yuan: Mapped[int] = mapped_column(BigInteger, default=0)
    receipt_no: Mapped[str] = mapped_column(String(60), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    patent: Mapped[Patent] = relationship()

    @property
    def on_time(self) -> bool:
        return self.paid_on <= self.due_date


class IndicatorTarget(Base):
    """A yearly milestone of a plan indicator that the operator sets (e.g. SMEs under custody:
    the cumulative number planned for the end of each year); the indicators are listed in
    matchmaker.indicators. `scope` is "" for the whole platform, else a region ("乌鲁木齐市")
    or a district under it ("乌鲁木齐市/天山区"): the plan's three levels."""

    __tablename__ = "indicator_targets"
    __table_args__ = (UniqueConstraint("key", "year", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(70), default="", server_default="")
    value: Mapped[int] = mapped_column(BigInteger)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
