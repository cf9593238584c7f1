"""`python -m ysdesk` behaves like `main.py`."""

from ysdesk.cli import run

run()
