"""Alembic migration scripts of the schema, shipped inside the package (no alembic.ini needed).

`env.py` is Alembic's environment, `versions/` holds one script per revision (0001 is the 0.1.0
baseline), `ddl_0_1_0` the baseline's frozen view and trigger SQL. They are run by
`storage.migrate` (the `paymentprocess db ...` commands), never at import time.
"""
