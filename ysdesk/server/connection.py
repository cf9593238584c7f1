"""Connecting to the office's PostgreSQL server: URLs, passwords kept out of them, and the
one Chinese sentence for each way a connection can fail."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from ysdesk.domain.errors import UserError

if TYPE_CHECKING:
    import psycopg

SCHEMA = "ysdesk"
CONNECT_TIMEOUT = 5  # seconds: an unreachable server is said soon, the desk works offline


class ServerRefused(UserError):
    """The server cannot be used now (unreachable, wrong password, not a ysdesk server)."""


class ServerUnreachable(ServerRefused):
    """No answer from the server: the desk is offline."""


@dataclass(frozen=True)
class ServerAddress:
    """A server URL without its password: what a replica stores and shows."""

    url: str  # postgresql://user@host:port/db?sslmode=…, never with a password
    user: str
    host: str
    port: int
    dbname: str
    password: str | None = None  # only when the URL given on the command line carried one

    @property
    def account(self) -> str:
        """The keyring's name for this login on this server."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def options(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query))


def parse_url(url: str) -> ServerAddress:
    """A postgresql:// URL split into its parts, its password taken out of it."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port or 5432
    except ValueError:
        raise ServerRefused(f"服务器地址格式不正确：{_redacted(text)}。") from None
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise ServerRefused(
            f"服务器地址应形如 postgresql://账号@主机:端口/数据库名，而不是：{_redacted(text)}。"
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ServerRefused(f"服务器地址中缺少数据库名：{_redacted(text)}。")
    user = unquote(parts.username or "")
    if not user:
        raise ServerRefused(f"服务器地址中缺少账号（如 postgresql://账号@主机/数据库）：{text}。")
    host = parts.hostname
    netloc = f"{quote(user, safe='')}@{_host_text(host)}:{port}"
    clean = urlunsplit(("postgresql", netloc, "/" + quote(dbname, safe=""), parts.query, ""))
    password = unquote(parts.password) if parts.password is not None else None
    return ServerAddress(clean, user, host, port, dbname, password)


def _host_text(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _redacted(url: str) -> str:
    """The URL as it may be shown: any password replaced by ***."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "（无法解析的地址）"


def connect(address: ServerAddress, password: str | None, *, desk: str = "") -> psycopg.Connection:
    """A connection to the server (sslmode and other URL options honoured), or ServerRefused.

    The password goes to libpq as a keyword, never into a URL that could be logged; with
    None, libpq's own sources (PGPASSWORD, ~/.pgpass) still apply.
    """
    import psycopg

    # Autocommit: every write goes in an explicit `conn.transaction()` block of its own.
    # UTF-8 whatever the desk's locale says (a POSIX locale would make it ASCII).
    kwargs: dict[str, object] = {
        "connect_timeout": CONNECT_TIMEOUT,
        "autocommit": True,
        "client_encoding": "UTF8",
    }
    if password is not None:
        kwargs["password"] = password
    if desk:
        kwargs["application_name"] = f"ysdesk {desk}"[:63]
    try:
        conn = psycopg.connect(address.url, **kwargs)
    except psycopg.OperationalError as exc:
        raise refusal(exc, address) from None
    except psycopg.ProgrammingError as exc:  # a bad option in the URL (sslmode=bogus)
        raise ServerRefused(f"服务器地址中的选项无效：{_first_line(exc)}。") from None
    return conn


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def refusal(exc: BaseException, address: ServerAddress) -> ServerRefused:
    """The sentence for a failed connection or a connection lost on the way."""
    text = str(exc).lower()
    where = f"{address.host}:{address.port}"
    if "password authentication failed" in text or "no password supplied" in text:
        return ServerRefused(f"服务器 {where} 拒绝了账号“{address.user}”的密码。")
    if "does not exist" in text and "database" in text:
        return ServerRefused(f"服务器 {where} 上没有数据库“{address.dbname}”。")
    if "role" in text and "does not exist" in text:
        return ServerRefused(f"服务器 {where} 上没有账号“{address.user}”。")
    if "ssl" in text or "certificate" in text:
        return ServerRefused(f"与服务器 {where} 的加密连接（SSL）未能建立：{_first_line(exc)}。")
    if "pg_hba" in text or "permission denied" in text:
        return ServerRefused(f"服务器 {where} 不允许账号“{address.user}”连接此数据库。")
    return ServerUnreachable(f"无法连接服务器 {where}（离线或服务器未启动），本机数据未改动。")


@contextlib.contextmanager
def server_errors(address: ServerAddress) -> Iterator[None]:
    """Turn a connection lost mid-way into ServerUnreachable; let other errors through."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError as exc:
        raise refusal(exc, address) from None
