"""Organizations (universities, institutes, enterprises, stations, operator) and their users."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import LinkState, OrgKind, OrgStatus, UserRole
from .history import StateChangeColumns
from .types import UTCDateTime, enum_column


class StationLink(Base):
    """A station serving an enterprise: asked for by one side (or made by the operator),
    confirmed by the other; only active links let the station's brokers act for the enterprise.
    Rows are never deleted: ended, declined and withdrawn links are the history.

    `open_slot` is 1 while the link is proposed or active and NULL afterwards, so the unique
    constraint allows one open link per pair and any number of closed ones (NULLs are distinct
    in SQLite and PostgreSQL alike)."""

    __tablename__ = "station_links"
    __table_args__ = (UniqueConstraint("station_id", "enterprise_id", "open_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                            index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                               index=True)
    state: Mapped[LinkState] = mapped_column(enum_column(LinkState), default=LinkState.PROPOSED,
                                             index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    open_slot: Mapped[int | None] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    station: Mapped["Organization"] = relationship(foreign_keys=[station_id])
    enterprise: Mapped["Organization"] = relationship(foreign_keys=[enterprise_id])
    requested_by: Mapped["Organization"] = relationship(foreign_keys=[requested_by_id])
    events: Mapped[list["StationLinkEvent"]] = relationship(
        back_populates="link", order_by="StationLinkEvent.id", cascade="all, delete-orphan")


class StationLinkEvent(StateChangeColumns, Base):
    """One step of a link's history (who, when, from → to, why)."""

    __tablename__ = "station_link_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("station_links.id", ondelete="CASCADE"),
                                         index=True)

    link: Mapped[StationLink] = relationship(back_populates="events")


_LINKS = StationLink.__table__


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    region: Mapped[str] = mapped_column(String(32), default="其他")
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus), default=OrgStatus.PENDING,
                                              index=True)
    source: Mapped[str] = mapped_column(String(40), default="registration")
    # Why the operator rejected or suspended it (shown to its users at login).
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organization")
    # A station serves the enterprises of its active links; its brokers act on their behalf.
    # Read-only: links change through catalog/station_links.py (requests, confirmations, history).
    clients: Mapped[list["Organization"]] = relationship(
        secondary=_LINKS,
        primaryjoin=lambda: and_(Organization.id == _LINKS.c.station_id,
                                 _LINKS.c.state == LinkState.ACTIVE.value),
        secondaryjoin=lambda: Organization.id == _LINKS.c.enterprise_id,
        viewonly=True, order_by=lambda: Organization.name,
    )
    stations: Mapped[list["Organization"]] = relationship(
        secondary=_LINKS,
        primaryjoin=lambda: and_(Organization.id == _LINKS.c.enterprise_id,
                                 _LINKS.c.state == LinkState.ACTIVE.value),
        secondaryjoin=lambda: Organization.id == _LINKS.c.station_id,
        viewonly=True, order_by=lambda: Organization.name,
    )

    @property
    def is_approved(self) -> bool:
        return self.status == OrgStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.kind.value} {self.name}>"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(100))
    # Where e-mail goes (invitations, resets, notifications when SMTP is set); "" = the login
    # when it is an e-mail address.
    email: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole), default=UserRole.MEMBER)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_token: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(back_populates="users")

    # Flask-Login protocol, in plain Python so the model stays free of web imports.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """Session id `user_id:token`; rotating the token ends every session of the user."""
        return f"{self.id}:{self.session_token}"

    @property
    def kind(self) -> OrgKind:
        return self.organization.kind

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.ADMIN

    @property
    def mail_address(self) -> str:
        """The address e-mail goes to, "" when the user has none."""
        if self.email:
            return self.email
        return self.login if "@" in self.login else ""

    @property
    def is_operator(self) -> bool:
        return self.organization.kind == OrgKind.OPERATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login}>"
