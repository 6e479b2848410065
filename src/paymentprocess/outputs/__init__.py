"""Payment outputs written after a Final Run: 835, NACHA, check register, Positive Pay, FHIR.

Pure renderers take a fully built model and return bytes (`remit_model` → `x12_835`, checked by
`x12_check`; `nacha`, `checks`, `fhir`); `gather`, `remittance` and `details` read a Final Run's
stored rows; `issue` renders, records and writes them as one set (`files`). See docs/outputs.md.
"""
