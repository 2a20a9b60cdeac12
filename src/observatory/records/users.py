"""People and roles. Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's
recommended parameters) and the most common ones refused (records/passwords.py); API tokens are
stored only as their SHA-256, so a copy of the database gives no one a working token, and an admin
can revoke one. Each user has a session version, carried in their session cookie: raising it
(sign-out, a new password, disabling) ends every session made before. There is always at least
one admin who can sign in: the last cannot be demoted or disabled. Signing in: records/sign_in.py."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import NotFoundError, ObservatoryError
from .audit import record_change
from .db import Base
from .inputs import check_fields
from .passwords import weakness
from .versions import bump, check

ROLES = ("viewer", "editor", "admin")  # each role may do everything the one before it may

MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # Argon2 takes any length; this only keeps a pasted file out

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
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # records/versions.py

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
            "version": self.version,
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


def hash_password(password: str, username: str = "") -> str:
    if len(password) < MIN_PASSWORD:
        raise ObservatoryError(f"The password is too short: use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise ObservatoryError(f"The password is too long: use at most {MAX_PASSWORD} characters.")
    problem = weakness(password, username)
    if problem:
        raise ObservatoryError(problem)
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
    check_fields({"username": username, "display_name": display_name})
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ObservatoryError(f"User '{username}' already exists. Use `observatory users set-role` to change it.")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password, username), disabled=False, failed_logins=0,
                session_version=0)
    session.add(user)
    session.flush()
    record_change(session, actor, "user", user.id, "create", None, user.public())
    return user


def _lock_admins(session: Session) -> list[User]:
    """Every admin, their rows locked for this transaction in one order (PostgreSQL; SQLite locks
    the whole database), taken before any other row: two admins demoting each other at once are
    then served one after the other, and the second is refused."""
    return list(session.scalars(select(User).where(User.role == "admin").order_by(User.id).with_for_update()))


def _keep_an_admin(admins: list[User], user: User, doing: str) -> None:
    if user.role == "admin" and not user.disabled and not any(
            a.id != user.id and not a.disabled for a in admins):
        raise ObservatoryError(
            f"{user.username} is the only administrator who can sign in, so cannot be {doing}: make "
            "another user an administrator first (`observatory users set-role NAME admin`).")


def set_role(session: Session, actor: str, username: str, role: str, seen: int | None = None) -> User:
    check_role(role)
    admins = _lock_admins(session)
    user = _locked_user(session, username)
    check(session, user, seen, f"the user {username}", "user", user.id)
    if role == user.role:
        return user
    if role != "admin":
        _keep_an_admin(admins, user, "given another role")
    before = user.public()
    user.role = role
    bump(user)
    record_change(session, actor, "user", user.id, "set-role", before, user.public())
    return user


def set_disabled(session: Session, actor: str, username: str, disabled: bool = True,
                 seen: int | None = None) -> User:
    admins = _lock_admins(session)
    user = _locked_user(session, username)
    check(session, user, seen, f"the user {username}", "user", user.id)
    if disabled:
        _keep_an_admin(admins, user, "disabled")
    before = user.public()
    user.disabled = disabled
    bump(user)
    if disabled:
        _end_sessions(user)
    else:
        user.failed_logins, user.locked_until = 0, None
    record_change(session, actor, "user", user.id, "disable" if disabled else "enable", before, user.public())
    return user


def set_password(session: Session, actor: str, username: str, password: str) -> User:
    """A new password; every session signed in with the old one ends."""
    user = _locked_user(session, username)
    user.password_hash = hash_password(password, username)
    _end_sessions(user)
    record_change(session, actor, "user", user.id, "set-password", None, {"username": username})
    return user


def _locked_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username).with_for_update())
    if user is None:
        raise NotFoundError(f"No user '{username}'. See `observatory users list`.")
    return user


def _end_sessions(user: User) -> None:
    user.session_version = User.session_version + 1  # in SQL: two at once both count


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of a user (at sign-out: a copied cookie stops working too)."""
    user = session.get(User, user_id)
    if user is not None:
        _end_sessions(user)


def session_version(user: User) -> int:
    return user.session_version or 0


def new_token(session: Session, actor: str, username: str, label: str = "") -> tuple[int, str]:
    """A new API token for `username`: its number (to revoke it by) and the token itself (shown
    once; only its hash is kept)."""
    check_fields({"label": label})
    user = get_user(session, username)
    token = "obs_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, label=label, token_hash=token_hash(token), revoked=False)
    session.add(row)
    session.flush()
    record_change(session, actor, "api_token", row.id, "create", None,
                  {"username": username, "label": label})
    return row.id, token


def issue_token(session: Session, actor: str, username: str, label: str = "") -> str:
    """A new API token for `username` (shown once; only its hash is kept)."""
    return new_token(session, actor, username, label)[1]


def list_tokens(session: Session, username: str | None = None) -> list[dict]:
    """Every API token (of one user), oldest first: number, user, label, when made, revoked."""
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username:
        query = query.where(User.username == get_user(session, username).username)
    return [{"id": t.id, "username": name, "label": t.label, "created_at": t.created_at.isoformat(timespec="seconds"),
             "revoked": t.revoked} for t, name in session.execute(query)]


def revoke_token(session: Session, actor: str, token_id: int) -> dict:
    """Revoke an API token: from now on it is refused."""
    row = session.scalar(select(ApiToken).where(ApiToken.id == token_id).with_for_update())
    if row is None:
        raise NotFoundError(f"No API token {token_id}. See `observatory users tokens`.")
    user = session.get(User, row.user_id)
    if not row.revoked:
        row.revoked = True
        record_change(session, actor, "api_token", row.id, "revoke", {"revoked": False},
                      {"revoked": True, "username": user.username, "label": row.label})
    return {"id": row.id, "username": user.username, "label": row.label}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                                ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user and not user.disabled else None


def display_names(session: Session) -> dict[str, str]:
    """Every user's name as people know them (their display name), by username."""
    return {u.username: (u.display_name or u.username) for u in session.scalars(select(User))}
