"""`observatory users ...`: people who may sign in, their roles, passwords and API tokens."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer
from rich.table import Table

from ..errors import ObservatoryError
from ..records import users as users_mod
from ..records.auth import cli_actor, no_users_yet
from ..records.user_list import list_users
from .common import AsUser, WorkspaceOpt, err, open_records_of, out, reported

users_app = typer.Typer(help="People who may sign in, and their roles (viewer, editor, admin).", no_args_is_help=True)
PasswordEnv = Annotated[str | None, typer.Option(help="Read the password from this environment variable.")]


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _password(option: str | None) -> str:
    """From --password-env NAME (for scripts), else asked twice without echo."""
    if option:
        value = os.environ.get(option)
        if not value:
            raise ObservatoryError(f"--password-env {option}: that environment variable is not set.")
        return value
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise ObservatoryError("The two passwords differ. Run the command again.")
    return first


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "viewer",
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password_env: PasswordEnv = None,
    as_user: AsUser = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a user. The very first user needs no --as (make it an admin)."""
    with reported():
        records = open_records_of(workspace)
        actor = username if no_users_yet(records) else cli_actor(records, as_user, needs="admin")
        password = _password(password_env)
        with records.session() as s:
            users_mod.add_user(s, actor, username, password, role, name)
        out.print(f"Added {username} ({role}).")


@users_app.command("list")
def users_list(workspace: WorkspaceOpt = None) -> None:
    """List users, their roles and whether they are disabled or locked."""
    with reported():
        with open_records_of(workspace).session() as s:
            rows = list_users(s)
        if not rows:
            out.print("No users yet. Add the first admin: `observatory users add NAME --role admin`.")
            return
        table = Table("User", "Name", "Role", "State", "Last sign-in")
        for u in rows:
            state = "disabled" if u["disabled"] else ("locked" if u["locked_until"] else "active")
            table.add_row(u["username"], u["display_name"], u["role"], state, (u["last_login"] or "")[:16])
        out.print(table)


@users_app.command("set-role")
def users_set_role(username: str, role: str, as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Change a user's role (admin only)."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            users_mod.set_role(s, actor, username, role)
        out.print(f"{username} is now {role}.")


@users_app.command("disable")
def users_disable(username: str,
                  enable: Annotated[bool, typer.Option("--enable", help="Enable the account again instead.")] = False,
                  as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Disable a user (or --enable them again; also clears a lock). Admin only."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            users_mod.set_disabled(s, actor, username, disabled=not enable)
        out.print(f"{username} is {'enabled' if enable else 'disabled'}.")


@users_app.command("set-password")
def users_set_password(username: str, password_env: PasswordEnv = None,
                       as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Set a user's password (admin only)."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        password = _password(password_env)
        with records.session() as s:
            users_mod.set_password(s, actor, username, password)
        out.print(f"Password of {username} changed.")


@users_app.command("token")
def users_token(username: str, label: Annotated[str, typer.Option(help="What the token is for.")] = "",
                as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Issue an API token for a user (admin only). It is shown once; keep it secret."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            token = users_mod.issue_token(s, actor, username, label)
        err.print(f"API token for {username} (shown once; send it as `Authorization: Bearer TOKEN`):")
        out.print(token, soft_wrap=True)
