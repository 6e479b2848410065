"""Payment outputs written after a Final Run (OUTPUTS.md).

This package holds the pure renderers: they take a fully built model (no database access) and
return bytes. `remit_model` is the interface for the X12 835 remittance, `x12_835.render_835`
renders it, `x12_check` re-parses the text and validates it (V-rules of OUTPUTS.md §3.7).
"""
