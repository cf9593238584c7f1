"""Logins of the office: PostgreSQL roles in the office or unit group, and a unit's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ysdesk.domain.errors import ValidationError
from ysdesk.server.schema import OFFICE_ROLE, UNIT_ROLE

if TYPE_CHECKING:
    import psycopg


def add_account(
    conn: psycopg.Connection, login: str, password: str, *, unit: str | None = None
) -> None:
    """Create a login (or reset its password) as office staff, or for one unit when given.

    Run by the server's administrator (a role that may create roles). The password is sent
    as a literal the server hashes (scram-sha-256 by default); ysdesk keeps no copy.
    """
    from psycopg import sql

    login = login.strip()
    if not login:
        raise ValidationError("账号名不能为空。")
    with conn.transaction():
        if (
            unit is not None
            and not conn.execute("SELECT 1 FROM ysdesk.units WHERE name = %s", (unit,)).fetchone()
        ):
            raise ValidationError(f"服务器上的单位名录中没有“{unit}”。")
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(login), sql.Literal(password)
            )
        )
        group, other = (UNIT_ROLE, OFFICE_ROLE) if unit is not None else (OFFICE_ROLE, UNIT_ROLE)
        conn.execute(
            sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), sql.Identifier(login))
        )
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(login)))
        conn.execute(
            "INSERT INTO ysdesk.accounts(login, unit) VALUES (%s, %s)"
            " ON CONFLICT (login) DO UPDATE SET unit = excluded.unit",
            (login, unit),
        )
        database = conn.info.dbname
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(login)
            )
        )
