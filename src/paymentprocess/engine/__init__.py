"""The vectorized payment engine: config → load → validate → payees → transform → compute →
ledger → persist → stats, each stage a small module over Polars frames (money in Int64 cents)."""
