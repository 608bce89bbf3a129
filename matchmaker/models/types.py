"""Column type helpers shared by the models."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum as SAEnum
from sqlalchemy.types import TypeDecorator


def enum_column(enum_cls: type[enum.Enum]) -> SAEnum:
    """Store enum values (not names) as VARCHAR with a CHECK, portable across SQLite and PostgreSQL."""
    return SAEnum(enum_cls, native_enum=False, length=32, validate_strings=True,
                  values_callable=lambda cls: [m.value for m in cls],
                  name=enum_cls.__name__.lower())


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes that come back aware from SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            from datetime import timezone
            value = value.replace(tzinfo=timezone.utc)
        return value
