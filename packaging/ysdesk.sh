#!/bin/sh
# ysdesk: no arguments open the workbench window; arguments run a command (ysdesk --help).
exec /opt/ysdesk/ysdesk "$@"
