"""ysdesk: no arguments open the workbench window; arguments run a command (see --help)."""

from ysdesk.cli import run

if __name__ == "__main__":
    run()
