"""PDF through LibreOffice: absent, hanging and failing converters give one Chinese sentence."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from ysdesk.domain.errors import UserError
from ysdesk.exchange import pdf
from ysdesk.exchange.pdf import LibreOfficeMissingError, convert_to_pdf, find_soffice

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake soffice is a shell script")


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "简报.docx"
    path.write_bytes(b"PK fake")
    return path


def test_missing_libreoffice_is_a_plain_message(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pdf.ENV_SOFFICE, "")
    assert find_soffice() is None
    with pytest.raises(LibreOfficeMissingError, match="未找到 LibreOffice"):
        convert_to_pdf(source)
    assert not source.with_suffix(".pdf").exists()


@posix_only
def test_conversion_uses_a_temporary_profile_and_lands_beside_the_source(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "args.txt"
    # Writes the PDF LibreOffice would write: <outdir>/<input stem>.pdf.
    script = _fake_soffice(
        tmp_path,
        f'echo "$@" > {log}\n'
        'while [ "$#" -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; esac; '
        'last="$1"; shift; done\n'
        'name=$(basename "$last"); printf "%%PDF-1.4" > "$out/${name%.*}.pdf"',
    )
    monkeypatch.setenv(pdf.ENV_SOFFICE, str(script))
    target = convert_to_pdf(source)
    assert target == source.with_suffix(".pdf")
    assert target.read_bytes() == b"%PDF-1.4"
    args = log.read_text(encoding="utf-8")
    assert "-env:UserInstallation=file:///" in args
    assert "--headless" in args and "--convert-to pdf" in args
    # A Word document keeps the blank page before an even-page section (the brief's 版记).
    assert '"IsSkipEmptyPages":{"type":"boolean","value":"false"}' in args
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


@posix_only
def test_a_hanging_converter_is_stopped_after_the_time_limit(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pdf.ENV_SOFFICE, str(_fake_soffice(tmp_path, "sleep 30")))
    started = time.monotonic()
    with pytest.raises(UserError, match="超时"):
        convert_to_pdf(source, timeout=1)
    assert time.monotonic() - started < 15
    assert not source.with_suffix(".pdf").exists()


@posix_only
def test_a_converter_that_writes_nothing_is_reported(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _fake_soffice(tmp_path, 'echo "Error: source file could not be loaded" >&2')
    monkeypatch.setenv(pdf.ENV_SOFFICE, str(script))
    with pytest.raises(UserError, match=r"未能把 简报\.docx 转换为 PDF"):
        convert_to_pdf(source)


def test_refuses_a_missing_source_or_folder(tmp_path: Path, source: Path) -> None:
    with pytest.raises(UserError, match="不存在"):
        convert_to_pdf(tmp_path / "nothing.docx")
    with pytest.raises(UserError, match="文件夹不存在"):
        convert_to_pdf(source, tmp_path / "no" / "x.pdf")
