"""Server passwords in the operating system's keyring (keyring), never in the database file,
the settings or a log. A machine without a usable keyring just asks again next time."""

from __future__ import annotations

import contextlib

from ysdesk.server.connection import ServerAddress

SERVICE = "ysdesk"


def stored_password(address: ServerAddress) -> str | None:
    """The password kept for this login on this server, or None."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, address.account)
    except (KeyringError, RuntimeError, OSError):
        return None


def remember_password(address: ServerAddress, password: str) -> bool:
    """Keep the password in the keyring; False when the machine has no usable keyring."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, address.account, password)
    except (KeyringError, RuntimeError, OSError):
        return False
    return True


def forget_password(address: ServerAddress) -> None:
    """Remove a kept password (after the server refused it)."""
    import keyring
    from keyring.errors import KeyringError

    with contextlib.suppress(KeyringError, RuntimeError, OSError):
        keyring.delete_password(SERVICE, address.account)
