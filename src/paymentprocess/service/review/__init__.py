"""Read models of the review console and the run report (issue 14).

Each module reads what one part of the console shows, from the tables runs write, through
SQLAlchemy Core: `events` (the events list, one event's overview: runs with stage timings,
backups, output files), `findings` (grouped by severity and code, and the claims and payees a
finding names, keyset-paged), `payees` (the payees table: sort, filter, keyset pages with sealed
cursors, `cursor`), `payee` (one payee's amounts, claims, payments and ledger history), `compare`
(Dry Run against Final Run, this cycle against the previous one), `masking` (what a principal
without READ_SENSITIVE sees), `chart_numbers` and `charts` (the charts' numbers, then inline SVG
of them), `pictures` (a run's four charts) and `report` / `report_pdf` (the run report, HTML and
PDF).
None of them writes a table; the console and `paymentprocess report` call them.
"""
