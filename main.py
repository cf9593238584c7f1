"""ysdesk: no arguments open the workbench window; arguments run a command (see --help)."""

from ysdesk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
