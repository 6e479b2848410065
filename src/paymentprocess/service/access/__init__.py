"""Users, roles, sessions: who is asking and what they may do.

STAND-IN for the access branch (its version wins at merge): only the names the console uses, with
in-memory storage per engine, so the console can be built and tested before the access branch
lands. The access branch stores users and sessions in the database (migration 0006).
"""
