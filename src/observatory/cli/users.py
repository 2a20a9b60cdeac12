"""`observatory users ...`: people who may sign in, their roles, passwords and API tokens (issued,
listed and revoked)."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer
from rich.markup import escape
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
    """List users, their roles and whether they are disabled."""
    with reported():
        with open_records_of(workspace).session() as s:
            rows = list_users(s)
        if not rows:
            out.print("No users yet. Add the first admin: `observatory users add NAME --role admin`.")
            return
        table = Table("User", "Name", "Role", "State", "Last sign-in")
        for u in rows:
            state = "disabled" if u["disabled"] else "active"
            table.add_row(u["username"], u["display_name"], u["role"], state, (u["last_login"] or "")[:16])
        out.print(table)


@users_app.command("set-role")
def users_set_role(username: str, role: str, as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Change a user's role (admin only). The last administrator keeps the admin role."""
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
    """Disable a user, ending their sessions (or --enable them again). Admin only.

    The last administrator cannot be disabled."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            users_mod.set_disabled(s, actor, username, disabled=not enable)
        out.print(f"{username} is {'enabled' if enable else 'disabled'}.")


@users_app.command("set-password")
def users_set_password(username: str, password_env: PasswordEnv = None,
                       as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Set a user's password (admin only); the user's sessions end."""
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
            number, token = users_mod.new_token(s, actor, username, label)
        err.print(f"API token {number} for {username} (shown once; send it as `Authorization: Bearer TOKEN`; "
                  f"revoke it with `observatory users revoke-token {number}`):")
        out.print(token)


@users_app.command("tokens")
def users_tokens(username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
                 as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """List API tokens (never the tokens themselves): number, user, label, when issued, revoked. Admin only."""
    with reported():
        records = open_records_of(workspace)
        cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            rows = users_mod.list_tokens(s, username)
        if not rows:
            out.print("No API tokens.")
            return
        table = Table("Number", "User", "Label", "Issued", "State")
        for t in rows:
            table.add_row(str(t["id"]), t["username"], t["label"], t["created_at"][:16],
                          "revoked" if t["revoked"] else "active")
        out.print(table)


@users_app.command("revoke-token")
def users_revoke_token(number: Annotated[int, typer.Argument(help="The token's number (see `observatory users tokens`).")],
                       as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Revoke an API token: from now on every request sending it is refused. Admin only."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            t = users_mod.revoke_token(s, actor, number)
        label = f" ({escape(t['label'])})" if t["label"] else ""
        out.print(f"API token {t['id']} of {t['username']}{label} is revoked.")
