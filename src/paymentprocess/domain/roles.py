"""Roles and what each may do: the role table of docs/console.md ("Roles and approval").

`ALLOWED` maps every `Action` to the roles that may take it; `allows(role, action)` reads it. The
service layer checks it (`service.access.authorize.require`) for the CLI, the API and the console
alike. A database without users has no roles: its one principal (`Principal.LOCAL`) may do
everything, which keeps the embedded demo zero-setup.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"


class Action(StrEnum):
    READ = "read"  # events, runs, stats, findings, payees (masked), outputs list
    READ_SENSITIVE = "read_sensitive"  # member identities and bank numbers unmasked
    CREATE_EVENT = "create_event"
    LOAD_DATA = "load_data"
    SUBMIT_CLAIMS = "submit_claims"
    DRY_RUN = "dry_run"
    REQUEST_FINAL = "request_final"
    FINAL_RUN = "final_run"
    GENERATE_OUTPUTS = "generate_outputs"
    DOWNLOAD_OUTPUTS = "download_outputs"
    APPROVE = "approve"  # approve or reject a requested Final Run
    MANAGE_USERS = "manage_users"
    RESTORE = "restore"


_V, _O, _P, _A = Role.VIEWER, Role.OPERATOR, Role.APPROVER, Role.ADMIN

ALLOWED: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        Action.READ: frozenset({_V, _O, _P, _A}),
        Action.READ_SENSITIVE: frozenset({_O, _P}),
        Action.CREATE_EVENT: frozenset({_O}),
        Action.LOAD_DATA: frozenset({_O}),
        Action.SUBMIT_CLAIMS: frozenset({_O}),
        Action.DRY_RUN: frozenset({_O}),
        Action.REQUEST_FINAL: frozenset({_O}),
        Action.FINAL_RUN: frozenset({_O, _P}),
        Action.GENERATE_OUTPUTS: frozenset({_O}),
        Action.DOWNLOAD_OUTPUTS: frozenset({_O, _P}),
        Action.APPROVE: frozenset({_P}),
        Action.MANAGE_USERS: frozenset({_A}),
        Action.RESTORE: frozenset({_O}),
    }
)


def allows(role: Role, action: Action) -> bool:
    """True when `role` may take `action` (the role table, `ALLOWED`)."""
    return role in ALLOWED[action]
