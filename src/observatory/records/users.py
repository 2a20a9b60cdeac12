"""People and roles. Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's
recommended parameters); API tokens are stored only as their SHA-256, so a copy of the database
gives no one a working token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import NotFoundError, ObservatoryError
from .audit import record_change
from .db import Base

ROLES = ("viewer", "editor", "admin")  # each role may do everything the one before it may

# Repeated failures slow down, then lock the account for a while (OWASP Authentication Cheat
# Sheet: "account lockout" with a time-out, not a permanent lock an attacker could force).
SLOW_AFTER = 3  # failures before each further attempt is delayed
LOCK_AFTER = 5  # failures that lock the account
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10

_hasher = PasswordHasher()


def now() -> datetime:
    """UTC now, naive: both engines store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    last_login: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    def may(self, needs: str) -> bool:
        return not self.disabled and has_role(self.role, needs)

    def public(self) -> dict:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "disabled": self.disabled,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "last_login": self.last_login.isoformat() if self.last_login else None,
        }


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


def has_role(role: str, needs: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needs)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ObservatoryError(f"Role '{role}' is not known. Use {', '.join(ROLES)}.")
    return role


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ObservatoryError(f"The password is too short: use at least {MIN_PASSWORD} characters.")
    return _hasher.hash(password)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"No user '{username}'. See `observatory users list`.")
    return user


def add_user(session: Session, actor: str, username: str, password: str, role: str = "viewer",
             display_name: str = "") -> User:
    check_role(role)
    username = username.strip()
    if not username or len(username) > 80:
        raise ObservatoryError("A username needs 1 to 80 characters.")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ObservatoryError(f"User '{username}' already exists. Use `observatory users set-role` to change it.")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password), disabled=False, failed_logins=0)
    session.add(user)
    session.flush()
    record_change(session, actor, "user", user.id, "create", None, user.public())
    return user


def set_role(session: Session, actor: str, username: str, role: str) -> User:
    check_role(role)
    user = get_user(session, username)
    before = user.public()
    user.role = role
    record_change(session, actor, "user", user.id, "set-role", before, user.public())
    return user


def set_disabled(session: Session, actor: str, username: str, disabled: bool = True) -> User:
    user = get_user(session, username)
    before = user.public()
    user.disabled = disabled
    if not disabled:
        user.failed_logins, user.locked_until = 0, None
    record_change(session, actor, "user", user.id, "disable" if disabled else "enable", before, user.public())
    return user


def set_password(session: Session, actor: str, username: str, password: str) -> User:
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    record_change(session, actor, "user", user.id, "set-password", None, {"username": username})
    return user


class LoginRefused(ObservatoryError):
    """Wrong name or password, a disabled account, or a locked one (the message never says which
    of the first two, so it does not reveal who has an account)."""

    def __init__(self, message: str, delay: float = 0.0) -> None:
        super().__init__(message)
        self.delay = delay


def authenticate(session: Session, username: str, password: str) -> User:
    """The user, if the password is right and the account usable; else LoginRefused, after
    counting the failure (which may lock the account)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        _hasher.hash(password or "x")  # the same work as a real check, so timing says nothing
        raise LoginRefused("The username or password is not right.")
    if user.locked_until and user.locked_until > now():
        raise LoginRefused(
            f"Too many failed attempts: this account is locked until {user.locked_until:%H:%M} UTC. "
            "Try again then, or ask an administrator."
        )
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        delay = failure_delay(user.failed_logins)
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until = now() + LOCK_FOR
            user.failed_logins = 0
            record_change(session, "system", "user", user.id, "lock", None,
                          {"username": user.username, "locked_until": user.locked_until.isoformat()})
            raise LoginRefused(
                f"Too many failed attempts: this account is locked for {int(LOCK_FOR.total_seconds() // 60)} "
                "minutes.", delay
            ) from None
        raise LoginRefused("The username or password is not right.", delay) from None
    if user.disabled:
        raise LoginRefused("This account is disabled. Ask an administrator.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login = 0, None, now()
    return user


def failure_delay(failures: int) -> float:
    """Seconds to wait before answering a failed attempt: nothing for the first few, then
    doubling (1, 2, 4 s) up to the lock."""
    if failures < SLOW_AFTER:
        return 0.0
    return float(min(2 ** (failures - SLOW_AFTER), 8))


def issue_token(session: Session, actor: str, username: str, label: str = "") -> str:
    """A new API token for `username` (shown once; only its hash is kept)."""
    user = get_user(session, username)
    token = "obs_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, label=label, token_hash=token_hash(token), revoked=False)
    session.add(row)
    session.flush()
    record_change(session, actor, "api_token", row.id, "create", None,
                  {"username": username, "label": label})
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                                ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user and not user.disabled else None
