"""The claims service (SPEC §9): intake, lookup and listing of claims, shared by the API and CLI.

One package, one job per module; import the module you need (this file re-exports nothing).

Intake, from the caller's body to a stored claim:
    raw_claim       RawClaim (canonical names, unparsed values), Problem, the IntakeRule protocol
    field_names     the caller's spelling of a field → its canonical name
    json_intake     a JSON body → RawClaim          csv_intake   a CSV body → RawClaim
    value_parsers   one parser per value (amount, date, NPI, TIN, …), shared by rules and model
    intake_rules    DEFAULT_INTAKE_RULES, the ordered registry of intake rules, and `validate`
    model           NewClaim / NewLine, the typed claim built from a RawClaim that passed
    parse           parse_claim (body → NewClaim) and ClaimInputError (every problem, once)
    ids             server-generated, time-ordered claim ids
    write           the SQL that stores claims, outbox events and Idempotency-Key answers
    submit          submit_claim / submit_claims: one transaction, races settled by the database
    group_commit    ClaimBatcher: concurrent requests' claims stored by one transaction

Reading back:
    document        a claim's JSON-ready document (and the NewClaim it was made from)
    read            one claim by id, the lines of a page's claims
    cursor          the claim list's opaque keyset cursors
    listing         one provider's claims in a service-date range, in keyset pages
    listing_filter  what the list is asked for: filter, span bounds, bound values, page limits
    listing_sql     the list's statements (span bounds, exact total, page), built once per shape
    top_providers   the providers ranked by total net fee

The package sits at the `service` layer (tests/unit/test_import_direction.py) and imports no other
service module: claims do not depend on payment runs, nor runs on claims.
"""
