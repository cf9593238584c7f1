"""Qt only: item models over services, views, dialogs, undo commands, workers.

Reaches data through ysdesk.services (and store objects they hand out); never SQL or file formats.
"""
