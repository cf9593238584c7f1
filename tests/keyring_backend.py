"""A keyring for the tests: a JSON file in a temporary folder (never the user's keyring).

Selected for every test and every process a test starts by PYTHON_KEYRING_BACKEND
(tests/conftest.py); the file is named by YSDESK_TEST_KEYRING.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class TempFileKeyring(KeyringBackend):
    """Passwords in the JSON file $YSDESK_TEST_KEYRING."""

    priority = 1  # type: ignore[assignment]

    @staticmethod
    def _path() -> Path:
        return Path(os.environ["YSDESK_TEST_KEYRING"])

    def _read(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text("utf-8"))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(data), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._path().write_text(json.dumps(data), "utf-8")
