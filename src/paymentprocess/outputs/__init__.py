"""Payment outputs written after a Final Run: 835, NACHA, check register, Positive Pay, FHIR."""
