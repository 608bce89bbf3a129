"""Per-account login back-off: exponential, capped, never a permanent lock.

The per-address rate limit (Flask-Limiter) does not stop guesses spread over many addresses
(70 wrong passwords for one account from 7 addresses in 11 s went through). Here every attempt
on an account is counted *before* its password is checked (so parallel guesses count too):
the first `free` failures cost nothing, then each one makes the next attempt wait twice as
long — 2 s, 4 s, 8 s … up to `max_delay`. Attempts while waiting are refused without checking
the password and do not lengthen the wait; a success clears the count.

An attacker who keeps guessing keeps the account's counter at the cap, so the owner would have
to wait for a free slot. Browsers that logged in to the account before carry a signed device
cookie (`web/device_cookie.py`): their attempts are counted under a key of their own, so a
stranger's guesses never lock the owner's own browser out (OWASP "device cookies").
Unknown logins are counted the same way, so the answers reveal nothing about which exist.
"""
from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    """How many failures are free, and the longest wait after that (Settings owns both)."""

    free: int = 5
    max_delay: timedelta = timedelta(minutes=15)

    def delay(self, failures: int) -> timedelta:
        """Wait imposed after `failures` consecutive failures.

        >>> [Policy().delay(n).total_seconds() for n in (5, 6, 7, 10, 40)]
        [0.0, 2.0, 4.0, 32.0, 900.0]
        """
        over = failures - self.free
        if over <= 0:
            return timedelta(0)
        return min(self.max_delay, timedelta(seconds=2 ** min(over, 30)))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0      # seconds, when refused


def wall_clock() -> datetime:
    """Real time, never the business clock: MATCHMAKER_TODAY pins `clock.now()` to one instant,
    and a wait measured on a stopped clock would never end."""
    return datetime.now(timezone.utc)


def account_key(login: str) -> str:
    """The counter of a login as typed (normalized like logins are), never stored in clear."""
    text = unicodedata.normalize("NFKC", login or "").strip().lower()
    return hashlib.sha256(f"account:{text}".encode()).hexdigest()


def device_key(nonce: str) -> str:
    """The counter of one trusted browser (its device cookie's nonce)."""
    return hashlib.sha256(f"device:{nonce}".encode()).hexdigest()


def begin_attempt(session: Session, key: str, policy: Policy, now: datetime) -> Verdict:
    """Count an attempt under `key` before its password is checked, or refuse it while the
    key must wait. The caller commits before checking the password (so a parallel attempt
    sees this one); a compare-and-set on the count keeps two attempts from taking one slot."""
    for _ in range(5):
        row = session.execute(select(LoginThrottle.failures, LoginThrottle.blocked_until)
                              .where(LoginThrottle.key == key)).first()
        if row is None:
            try:
                with session.begin_nested():
                    session.add(LoginThrottle(key=key, failures=1, updated_at=now,
                                              blocked_until=_until(policy, 1, now)))
                return Verdict(True)
            except IntegrityError:      # another attempt created it first: read it again
                continue
        failures, blocked_until = row
        if blocked_until is not None and blocked_until > now:
            return Verdict(False, max(1, math.ceil((blocked_until - now).total_seconds())))
        counted = session.execute(
            update(LoginThrottle).where(LoginThrottle.key == key,
                                        LoginThrottle.failures == failures)
            .values(failures=failures + 1, updated_at=now,
                    blocked_until=_until(policy, failures + 1, now)))
        if counted.rowcount == 1:
            return Verdict(True)
    return Verdict(False, 1)            # lost every race: someone is hammering this key


def succeeded(session: Session, key: str) -> None:
    """The password was right: the key starts afresh."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def prune(session: Session, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget counters untouched for a day (their wait is long over); returns how many."""
    return session.execute(delete(LoginThrottle)
                           .where(LoginThrottle.updated_at < now - older_than)).rowcount


def _until(policy: Policy, failures: int, now: datetime) -> datetime | None:
    wait = policy.delay(failures)
    return now + wait if wait else None
