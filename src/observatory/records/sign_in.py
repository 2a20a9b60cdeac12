"""Signing in, so that an attacker cannot turn it against an account's owner.

- No lock. Failed attempts are counted per client and per account name, and after a few each
  further attempt must wait, twice as long each time (exponential backoff), up to a ceiling: an
  attempt made sooner is refused without its password being checked. Guessing is slowed to a
  crawl; nobody is shut out for long.
- A browser that has signed in as a user before carries a signed "known device" cookie for that
  name (OWASP: device cookies) and is held back only by its own count, never by the account's
  or its network address's: failures an anonymous client piles up, even from the same office
  network or behind the same proxy, never keep an account's owner out.
- Unknown names are treated exactly as real ones: the same answer, the same count, and the same
  work (the password is checked against a stand-in hash), so nothing says which names exist.
- Counting happens before the password is checked, in a short transaction holding the counters'
  rows (SELECT ... FOR UPDATE; SQLite's write lock), so attempts sent at once by many workers are
  each counted: none slips through before the wait holds. Argon2 then runs outside any transaction
  (the web app runs all of this in a worker thread, never on its event loop).
- A good password clears the counts of that client and that account.
- Each process remembers the waits the database gave it (`RecentWaits`): an attempt made while
  one still runs is refused at once, without asking the database, checking a password or drawing
  a page, so a flood of attempts from a client that must wait costs next to nothing. The database
  stays the authority: a process only repeats a refusal the database made, with the database's
  own deadline, and asks it again after HOLD_AT_MOST seconds at the latest (a sign-in in another
  process may have cleared the count meanwhile).
"""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import DateTime, Integer, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import ObservatoryError
from .db import Base, Records
from .users import User, now

CLIENT_FREE = 5  # failures from one client before each further attempt must wait
CLIENT_CEILING = 15 * 60  # the longest wait, in seconds
ACCOUNT_FREE = 5  # failures on one account name (from unknown browsers) before they must wait
ACCOUNT_CEILING = 120
FORGET_AFTER = timedelta(days=1)  # counters idle this long are deleted
HOLD_AT_MOST = 30.0  # seconds a process repeats the database's refusal before asking it again
REMEMBERED = 10_000  # keys a process remembers waits for (the oldest deadlines go first)
WRONG = "The username or password is not right."

_hasher = PasswordHasher()
_stand_in: str | None = None


class LoginRefused(ObservatoryError):
    """Wrong name or password, a disabled account, or too many attempts too quickly. The message
    never says which of the first two, so it does not reveal who has an account."""

    def __init__(self, message: str, wait: float = 0.0) -> None:
        super().__init__(message)
        self.wait = wait


class Throttle(Base):
    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    until: Mapped[datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class SignedIn:
    id: int
    username: str
    session_version: int


def backoff(failures: int, free: int, ceiling: float) -> float:
    """Seconds the next attempt must wait after `failures`: none for the first `free`, then 1, 2,
    4, 8 ... up to `ceiling`."""
    if failures < free:
        return 0.0
    return float(min(2 ** min(failures - free, 30), ceiling))


def client_key(client: str) -> str:
    return "client:" + client[:150]


def account_key(username: str) -> str:
    return "account:" + username.strip().casefold()[:150]


class RecentWaits:
    """The waits the database gave this process, by counter key: (deadline, ask again at), both
    on the monotonic clock. Thread-safe; bounded (REMEMBERED keys)."""

    def __init__(self) -> None:
        self._until: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds any of `keys` must still wait, as the database last said (0: ask it)."""
        at = time.monotonic()
        with self._lock:
            held = [self._until.get(k) for k in keys]
        return max((deadline - at for deadline, ask in filter(None, held) if ask > at), default=0.0)

    def hold(self, waits: dict[str, float]) -> None:
        """Remember that each key must wait so many seconds (keys with none are forgotten)."""
        at = time.monotonic()
        with self._lock:
            for key, seconds in waits.items():
                if seconds > 0:
                    self._until[key] = (at + seconds, at + min(seconds, HOLD_AT_MOST))
                else:
                    self._until.pop(key, None)
            if len(self._until) > REMEMBERED:
                for key, (_, ask) in list(self._until.items()):
                    if ask <= at:
                        del self._until[key]
                while len(self._until) > REMEMBERED:
                    del self._until[min(self._until, key=lambda k: self._until[k][1])]

    def forget(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._until.pop(key, None)


_recent: weakref.WeakKeyDictionary[Records, RecentWaits] = weakref.WeakKeyDictionary()
_recent_lock = threading.Lock()


def recent_waits(records: Records) -> RecentWaits:
    """This process's memory of the waits `records`' database gave (one per open database)."""
    with _recent_lock:
        found = _recent.get(records)
        if found is None:
            found = _recent[records] = RecentWaits()
        return found


def _usable_name(username: str) -> bool:
    """A name that could be a username at all (any other is unknown without asking the database:
    PostgreSQL refuses a NUL byte outright)."""
    return 0 < len(username.strip()) <= 80 and username.isprintable()


def _reserve(session: Session, limits: dict[str, tuple[int, float]], at: datetime) -> tuple[float, dict[str, float]]:
    """Count one attempt against each key, unless one of them must still wait: then return the
    seconds left (and count nothing). Also returned: the seconds each key must wait from now on
    (after this attempt, if it was counted)."""
    keys = sorted(limits)
    if session.get_bind().dialect.name == "postgresql":
        add = postgresql.insert(Throttle)
    else:
        add = sqlite.insert(Throttle)
    session.execute(add.values([{"key": k, "failures": 0, "until": at} for k in keys]).on_conflict_do_nothing())
    rows = session.scalars(select(Throttle).where(Throttle.key.in_(keys)).order_by(Throttle.key)
                           .with_for_update()).all()
    wait = max(((r.until - at).total_seconds() for r in rows), default=0.0)
    if wait <= 0:
        for r in rows:
            free, ceiling = limits[r.key]
            r.failures += 1
            r.until = at + timedelta(seconds=backoff(r.failures, free, ceiling))
    return max(wait, 0.0), {r.key: (r.until - at).total_seconds() for r in rows}


def _check(password_hash: str | None, password: str) -> bool:
    global _stand_in
    if password_hash is None:
        # The same work as a real check, so the time taken says nothing about the name.
        if _stand_in is None:
            _stand_in = _hasher.hash("stand-in for an unknown user")
        password_hash = _stand_in
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def device_key(device: str) -> str:
    return "device:" + device[:64]


def _limits(username: str, client: str, device: str | None) -> dict[str, tuple[int, float]]:
    """The counters an attempt is counted against, with their free attempts and longest wait."""
    if device:
        return {device_key(device): (CLIENT_FREE, CLIENT_CEILING)}
    return {client_key(client): (CLIENT_FREE, CLIENT_CEILING),
            account_key(username if _usable_name(username) else ""): (ACCOUNT_FREE, ACCOUNT_CEILING)}


def counted_against(username: str, client: str, device: str | None = None) -> list[str]:
    """The counter keys an attempt as `username` from `client` (or a known `device`) counts against."""
    return sorted(_limits(username, client, device))


def too_many(wait: float) -> LoginRefused:
    return LoginRefused(f"Too many failed sign-ins: wait {int(wait) + 1} seconds, then try again.", wait)


def refused_here(records: Records, username: str, client: str, device: str | None = None) -> LoginRefused | None:
    """The refusal for an attempt that must still wait, as this process last heard from the
    database (no database, no password check); None: ask the database (`authenticate`)."""
    wait = recent_waits(records).wait(counted_against(username, client, device))
    return too_many(wait) if wait > 0 else None


def authenticate(records: Records, username: str, password: str, client: str,
                 device: str | None = None) -> SignedIn:
    """The user, if the password is right and the account usable; else LoginRefused. `client` is
    the network address; `device` the id of a known device that signed in as `username` before
    (counted on its own). Slow (Argon2): call it from a worker thread in a server."""
    early = refused_here(records, username, client, device)
    if early is not None:
        raise early
    usable = _usable_name(username)
    limits = _limits(username, client, device)
    at = now()
    with records.session() as s:
        wait, waits = _reserve(s, limits, at)
        user = s.scalar(select(User).where(User.username == username.strip())) if usable and not wait else None
        found = (user.id, user.password_hash, user.disabled) if user is not None else None
        if random.random() < 0.01:  # now and then, forget counters nobody has touched for a day
            s.execute(delete(Throttle).where(Throttle.until < at - FORGET_AFTER))
    if wait:
        recent_waits(records).hold(waits)
        raise too_many(wait)
    right = _check(found[1] if found else None, password)  # checked for unknown names too
    if found is None or not right:
        recent_waits(records).hold(waits)  # the wait this failure earned, if any
        raise LoginRefused(WRONG)
    if found[2]:
        raise LoginRefused("This account is disabled. Ask an administrator.")
    with records.session() as s:
        user = s.get(User, found[0])
        if user is None or user.disabled:
            raise LoginRefused(WRONG)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.failed_logins, user.locked_until, user.last_login = 0, None, now()
        keys = [client_key(client), account_key(username), *([device_key(device)] if device else [])]
        s.execute(delete(Throttle).where(Throttle.key.in_(keys)))
        recent_waits(records).forget(keys)
        return SignedIn(user.id, user.username, user.session_version or 0)
