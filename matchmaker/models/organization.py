"""Organizations (universities, institutes, enterprises, stations, operator) and their users."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import OrgKind, OrgStatus, UserRole
from .types import UTCDateTime, enum_column

station_clients = Table(
    "station_clients", Base.metadata,
    Column("station_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("enterprise_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organization")
    # A station serves enterprises; its brokers act on their behalf.
    clients: Mapped[list["Organization"]] = relationship(
        secondary=station_clients,
        primaryjoin=lambda: Organization.id == station_clients.c.station_id,
        secondaryjoin=lambda: Organization.id == station_clients.c.enterprise_id,
        back_populates="stations",
    )
    stations: Mapped[list["Organization"]] = relationship(
        secondary=station_clients,
        primaryjoin=lambda: Organization.id == station_clients.c.enterprise_id,
        secondaryjoin=lambda: Organization.id == station_clients.c.station_id,
        back_populates="clients",
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
    def is_operator(self) -> bool:
        return self.organization.kind == OrgKind.OPERATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login}>"
