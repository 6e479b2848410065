"""The range of a SequenceNumbers value (payee ids, ledger ids, check numbers).

Its own light module so that `paymentprocess sequence set --help` shows the bound without
loading the service (and SQLAlchemy): see docs/performance.md, "CLI start-up (issue 16)".
"""

from __future__ import annotations

MAX_VALUE = 2**63 - 1  # a signed 64-bit integer: BIGINT on PostgreSQL, INTEGER on SQLite
