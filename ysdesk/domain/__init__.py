"""Pure domain: dataclasses, enums, deadline parsing, unit names, user-facing errors.

Imports only the standard library (and pypinyin); never Qt, SQL or file formats.
"""
