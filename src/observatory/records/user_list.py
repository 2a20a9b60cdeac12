"""Everyone who may sign in, by username: what `observatory users list` shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .users import User


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every user's public fields (never the password hash), ordered by username."""
    return [u.public() for u in session.scalars(select(User).order_by(User.username))]
