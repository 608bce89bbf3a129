"""Roadshows and matchmaking events (路演、对接会、交易会): the programme of patents and needs
presented, who registered and came, and the follow-up of each enterprise × patent pair."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import LABELS, LabelledEnum
from .need import Need
from .organization import Organization, User
from .patent import Patent
from .types import UTCDateTime, enum_column


class EventKind(LabelledEnum):
    ROADSHOW = "roadshow"
    MATCHMAKING = "matchmaking"
    FAIR = "fair"
    FINANCING = "financing"


class EventState(LabelledEnum):
    DRAFT = "draft"             # the organizer prepares the programme; not public
    PUBLISHED = "published"     # public programme, registration open until the day
    HELD = "held"               # attendance recorded; pairs are followed up
    CANCELLED = "cancelled"


class RegistrationState(LabelledEnum):
    INVITED = "invited"         # the organizer invited the organization (no seat taken yet)
    REGISTERED = "registered"
    CANCELLED = "cancelled"


class PairOutcome(LabelledEnum):
    OPEN = "open"
    FOLLOWING = "following"
    DEAL = "deal"               # a licence request was made (the deal carries the event id)
    NO_INTEREST = "no_interest"


LABELS.update({(type(m), m.value): text for m, text in (
    (EventKind.ROADSHOW, "知识产权路演"), (EventKind.MATCHMAKING, "供需对接会"),
    (EventKind.FAIR, "技术交易会"), (EventKind.FINANCING, "项目技术融资对接会"),
    (EventState.DRAFT, "筹备中"), (EventState.PUBLISHED, "报名中"), (EventState.HELD, "已举办"),
    (EventState.CANCELLED, "已取消"),
    (RegistrationState.INVITED, "已邀请"), (RegistrationState.REGISTERED, "已报名"),
    (RegistrationState.CANCELLED, "已取消"),
    (PairOutcome.OPEN, "待跟进"), (PairOutcome.FOLLOWING, "跟进中"), (PairOutcome.DEAL, "已发起交易"),
    (PairOutcome.NO_INTEREST, "无意向"),
)})


class Event(Base):
    """One event, organized by the operator or a station. `capacity` counts seats (people);
    each registered organization takes its `seats` (at most `seats_per_org`)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), default=EventKind.ROADSHOW)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(String(32), default="")
    ipc: Mapped[str] = mapped_column(String(4), default="")          # an IPC class or subclass
    event_date: Mapped[date] = mapped_column(Date, index=True)
    time_text: Mapped[str] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(32), default="其他", index=True)
    district: Mapped[str] = mapped_column(String(32), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    seats_per_org: Mapped[int] = mapped_column(Integer, default=3)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[EventState] = mapped_column(enum_column(EventState), default=EventState.DRAFT,
                                              index=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organizer: Mapped[Organization] = relationship()
    created_by: Mapped[User | None] = relationship()
    items: Mapped[list["EventItem"]] = relationship(
        back_populates="event", order_by="EventItem.position, EventItem.id",
        cascade="all, delete-orphan")
    registrations: Mapped[list["EventRegistration"]] = relationship(
        back_populates="event", order_by="EventRegistration.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def seats_taken(self) -> int:
        return sum(r.seats for r in self.registrations if r.state == RegistrationState.REGISTERED)


class EventItem(Base):
    """A patent (presented by its owner) or a need (presented for its enterprise) on the
    programme; attached by the organizer or, for their own patents, by universities."""

    __tablename__ = "event_items"
    __table_args__ = (UniqueConstraint("event_id", "patent_id", name="uq_event_items_patent"),
                      UniqueConstraint("event_id", "need_id", name="uq_event_items_need"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))
    presenter_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship(back_populates="items")
    patent: Mapped[Patent | None] = relationship()
    need: Mapped[Need | None] = relationship()
    presenter: Mapped[Organization] = relationship()


class EventRegistration(Base):
    """An organization's place at an event: invited, registered (with its seats), cancelled;
    after the event whether it attended (None: not recorded)."""

    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    state: Mapped[RegistrationState] = mapped_column(enum_column(RegistrationState))
    seats: Mapped[int] = mapped_column(Integer, default=1)
    contact: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="registrations")
    organization: Mapped[Organization] = relationship()


class EventPair(Base):
    """The follow-up of one enterprise × patent pair met at an event."""

    __tablename__ = "event_pairs"
    __table_args__ = (UniqueConstraint("event_id", "patent_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))
    score: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[PairOutcome] = mapped_column(enum_column(PairOutcome), default=PairOutcome.OPEN)
    note: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    patent: Mapped[Patent] = relationship()
    enterprise: Mapped[Organization] = relationship()
    need: Mapped[Need | None] = relationship()


class DealPublicity(Base):
    """A party's consent to be named in success cases (the annual report): one row per deal and
    consenting organization; withdrawing it deletes the row."""

    __tablename__ = "deal_publicity"
    __table_args__ = (UniqueConstraint("deal_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    consented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
