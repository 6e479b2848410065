"""`python -m paymentprocess` runs the same command-line program as `paymentprocess`."""

from paymentprocess.cli.main import run

if __name__ == "__main__":
    run()
