"""`users add | list | disable | rotate-key`: the users of the payment team and their keys.

A key is printed once, on stdout (so `KEY=$(paymentprocess users add ...)` keeps it), and never
again: only its hash is stored. The first user needs no key and must be an admin; after that
every users command that changes something needs an admin's key (--key / PAYMENT_API_KEY),
except `rotate-key` of your own user.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from paymentprocess.cli.common import console, friendly_errors, out, state
from paymentprocess.domain.roles import Role

users_app = typer.Typer(
    help="Users with roles (viewer, operator, approver, admin) and their keys.",
    no_args_is_help=True,
)
Name = Annotated[str, typer.Argument(help="The user's name (letters, digits, . _ @ -).")]


@users_app.command("add")
@friendly_errors
def add_cmd(
    ctx: typer.Context,
    name: Name,
    role: Annotated[Role, typer.Option("--role", help="viewer, operator, approver or admin.")],
) -> None:
    """Add a user and print its key once (stdout). The first user of a database must be an
    admin and needs no key; then an admin's key is needed."""
    from paymentprocess.service.access.users import add_user, users_exist

    st = state(ctx)
    engine = st.engine()
    principal = st.principal(engine) if users_exist(engine) else None
    row, key = add_user(engine, name, role, principal)
    console.print(
        f"added user {row.name} ({row.role.value}); its key, shown once (keep it secret):",
        highlight=False,
    )
    out.print(key, highlight=False, markup=False, soft_wrap=True)


@users_app.command("list")
@friendly_errors
def list_cmd(ctx: typer.Context) -> None:
    """List the users: name, role, key id (not the key), created, disabled."""
    from paymentprocess.service.access.users import list_users

    table = Table("name", "role", "key id", "created (UTC)", "disabled (UTC)", box=box.SIMPLE_HEAD)
    for u in list_users(state(ctx).engine()):
        table.add_row(
            u.name,
            u.role.value,
            u.key_id,
            str(u.created_at)[:16],
            "" if u.disabled_at is None else str(u.disabled_at)[:16],
        )
    out.print(table)


@users_app.command("disable")
@friendly_errors
def disable_cmd(ctx: typer.Context, name: Name) -> None:
    """Disable a user: its key and console sessions stop working (needs an admin's key)."""
    from paymentprocess.service.access.users import disable_user

    st = state(ctx)
    engine = st.engine()
    row = disable_user(engine, st.principal(engine), name)
    out.print(f"disabled user {row.name}", highlight=False)


@users_app.command("rotate-key")
@friendly_errors
def rotate_cmd(ctx: typer.Context, name: Name) -> None:
    """Give a user a new key (printed once, stdout); the old key stops working. An admin's key,
    or the user's own."""
    from paymentprocess.service.access.users import rotate_key

    st = state(ctx)
    engine = st.engine()
    key = rotate_key(engine, st.principal(engine), name)
    console.print(f"new key of {name}, shown once (the old one no longer works):")
    out.print(key, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
