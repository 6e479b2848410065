"""paymentprocess — pays adjudicated healthcare claims exactly, atomically and fast."""

__version__ = "0.1.0"
