"""Read models of the review console and the run report (issue 14).

Each module reads what one part of the console shows, from the tables runs write, through
SQLAlchemy Core: `events` (the events list, one event's overview: runs with stage timings,
backups, output files), `findings` (grouped by severity and code, and the claims and payees a
finding names, keyset-paged), `payees` (the payees table: sort, filter, keyset pages with sealed
cursors; one payee's claims, payments and ledger history), `compare` (Dry Run against Final Run,
this cycle against the previous one), `masking` (what a principal without READ_SENSITIVE sees),
`charts` (inline SVG, pure functions of numbers) and `report` (the run report, HTML and PDF).
None of them writes a table; the console and `paymentprocess report` call them.
"""
