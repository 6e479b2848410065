"""Roles and what each may do (issue 14): the role table, written down once.

STAND-IN for the access branch (its version wins at merge): the names and the table are the
shared interface's (/work/notes/access_interface.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    APPROVER = "approver"
    ADMIN = "admin"


class Action(StrEnum):
    READ = "read"
    READ_SENSITIVE = "read_sensitive"
    CREATE_EVENT = "create_event"
    LOAD_DATA = "load_data"
    SUBMIT_CLAIMS = "submit_claims"
    DRY_RUN = "dry_run"
    REQUEST_FINAL = "request_final"
    FINAL_RUN = "final_run"
    GENERATE_OUTPUTS = "generate_outputs"
    DOWNLOAD_OUTPUTS = "download_outputs"
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"
    RESTORE = "restore"


_BY_ROLE: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.OPERATOR: frozenset(
        {
            Action.READ,
            Action.READ_SENSITIVE,
            Action.CREATE_EVENT,
            Action.LOAD_DATA,
            Action.SUBMIT_CLAIMS,
            Action.DRY_RUN,
            Action.REQUEST_FINAL,
            Action.FINAL_RUN,
            Action.GENERATE_OUTPUTS,
            Action.DOWNLOAD_OUTPUTS,
            Action.RESTORE,
        }
    ),
    Role.APPROVER: frozenset(
        {
            Action.READ,
            Action.READ_SENSITIVE,
            Action.APPROVE,
            Action.FINAL_RUN,
            Action.DOWNLOAD_OUTPUTS,
        }
    ),
    Role.ADMIN: frozenset({Action.READ, Action.MANAGE_USERS}),
}

ALLOWED: Mapping[Action, frozenset[Role]] = {
    action: frozenset(role for role, actions in _BY_ROLE.items() if action in actions)
    for action in Action
}


def allows(role: Role, action: Action) -> bool:
    return role in ALLOWED[action]
