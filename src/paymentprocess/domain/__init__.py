"""Domain vocabulary: money, claims, payees, ledger entries, findings, run results."""
