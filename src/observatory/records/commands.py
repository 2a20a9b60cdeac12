"""`observatory records ...` and `observatory users ...`: thin views over the records library."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli_common import WorkspaceOpt, err, load_workspace, out, reported
from ..errors import ObservatoryError
from . import users as users_mod
from .auth import cli_actor, no_users_yet
from .db import Records, database_url, describe_url, open_records

records_app = typer.Typer(help="The records database: migrate, export, import, seed the demo.", no_args_is_help=True)
users_app = typer.Typer(help="People who may sign in, and their roles (viewer, editor, admin).", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="Acting user (default: $OBSERVATORY_USER).")]


def register(app: typer.Typer) -> None:
    from .commands_log import actions_app, register_app

    app.add_typer(records_app, name="records")
    app.add_typer(users_app, name="users")
    app.add_typer(actions_app, name="actions")
    app.add_typer(register_app, name="register")


def _workspace(workspace: Path | None):
    return load_workspace(workspace)


def _open(workspace: Path | None) -> Records:
    return open_records(_workspace(workspace))


@records_app.command("upgrade")
def upgrade_cmd(workspace: WorkspaceOpt = None) -> None:
    """Create or migrate the records database to the newest schema."""
    with reported():
        from .migrate import upgrade

        url = database_url(_workspace(workspace))
        applied = upgrade(url)
        where = describe_url(url)
        if applied:
            out.print(f"Records database {where}: migrated to {', '.join(applied)}.")
        else:
            out.print(f"Records database {where}: already up to date.")


# --- users ---------------------------------------------------------------------------------

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
    password_env: Annotated[str | None, typer.Option(help="Read the password from this environment variable.")] = None,
    as_user: AsUser = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a user. The very first user needs no --as (make it an admin)."""
    with reported():
        records = _open(workspace)
        actor = username if no_users_yet(records) else cli_actor(records, as_user, needs="admin")
        password = _password(password_env)
        with records.session() as s:
            users_mod.add_user(s, actor, username, password, role, name)
        out.print(f"Added {username} ({role}).")


@users_app.command("list")
def users_list(workspace: WorkspaceOpt = None) -> None:
    """List users, their roles and whether they are disabled or locked."""
    with reported():
        from sqlalchemy import select

        with _open(workspace).session() as s:
            rows = [u.public() for u in s.scalars(select(users_mod.User).order_by(users_mod.User.username))]
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
        records = _open(workspace)
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
        records = _open(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            users_mod.set_disabled(s, actor, username, disabled=not enable)
        out.print(f"{username} is {'enabled' if enable else 'disabled'}.")


@users_app.command("set-password")
def users_set_password(username: str,
                       password_env: Annotated[str | None, typer.Option(help="Read the password from this environment variable.")] = None,
                       as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Set a user's password (admin only)."""
    with reported():
        records = _open(workspace)
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
        records = _open(workspace)
        actor = cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            token = users_mod.issue_token(s, actor, username, label)
        err.print(f"API token for {username} (shown once; send it as `Authorization: Bearer TOKEN`):")
        out.print(token, soft_wrap=True)


@records_app.command("export")
def export_cmd(file: Annotated[Path, typer.Argument(help="records.json, or records.zip for one CSV per table.")],
               workspace: WorkspaceOpt = None) -> None:
    """Write the whole records database to a file (JSON or a ZIP of CSVs)."""
    with reported():
        from .transfer import export

        counts = export(_open(workspace), file)
        out.print(f"Wrote {file}: {sum(counts.values()):,} rows from {len(counts)} tables.")


@records_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="A file written by `observatory records export`.")],
               workspace: WorkspaceOpt = None) -> None:
    """Restore an export into an empty, migrated records database (all or nothing)."""
    with reported():
        from .transfer import import_

        counts = import_(_open(workspace), file)
        out.print(f"Imported {sum(counts.values()):,} rows into {len(counts)} tables.")


@records_app.command("seed-demo")
def seed_demo_cmd(workspace: WorkspaceOpt = None,
                  if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if records exist.")] = False) -> None:
    """Add the demo records (the board's resolutions; an illustrative register) to an empty database."""
    with reported():
        from ..demo.records_demo import has_records, seed

        records = _open(workspace)
        if if_empty and has_records(records):
            out.print("The records database already holds records; the demo was not added.")
            return
        with records.session() as s:
            counts = seed(s)
        out.print(f"Seeded {counts['actions']} board actions and {counts['register']} register entries "
                  "(dates, statuses and providers illustrative).")
