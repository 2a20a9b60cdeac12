"""Who is acting on the command line. A CLI write names its user with `--as USER` or the
OBSERVATORY_USER environment variable; the user must exist, be enabled and hold the role."""

from __future__ import annotations

import os

from sqlalchemy import func, select

from ..errors import ObservatoryError
from .db import Records
from .users import User, has_role

ENV_USER = "OBSERVATORY_USER"


class NotAllowed(ObservatoryError):
    """The acting user is missing, unknown, disabled or lacks the role."""


def cli_actor(records: Records, as_user: str | None, needs: str = "editor") -> str:
    """The username acting, after checking it may do what needs `needs`."""
    name = as_user or os.environ.get(ENV_USER)
    if not name:
        raise NotAllowed(
            f"This change needs a user with the {needs} role. Name yourself with --as USER or set "
            f"{ENV_USER}; an admin creates users with `observatory users add`."
        )
    with records.session() as s:
        user = s.scalar(select(User).where(User.username == name))
        if user is None:
            raise NotAllowed(f"No user '{name}'. See `observatory users list`, or ask an admin to add you.")
        if user.disabled:
            raise NotAllowed(f"User '{name}' is disabled. Ask an admin to enable the account.")
        if not has_role(user.role, needs):
            raise NotAllowed(
                f"User '{name}' has the {user.role} role; this change needs {needs}. Ask an admin "
                f"to run `observatory users set-role {name} {needs}`."
            )
        return user.username


def no_users_yet(records: Records) -> bool:
    """True before the first user exists: the first `users add` needs no --as (it bootstraps)."""
    with records.session() as s:
        return (s.scalar(select(func.count()).select_from(User)) or 0) == 0
