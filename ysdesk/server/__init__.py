"""The shared office server: PostgreSQL through psycopg 3 — schema, roles, push and pull.

The store layer's sibling for the shared mode: may import the domain, never Qt or the ui.
"""
