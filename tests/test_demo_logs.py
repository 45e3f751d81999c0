"""A full demo cycle's logs, captured as an operator would read them in CloudWatch: no phone number, wamid, token or
message text, whatever the cycle did (sends, statements, a number not on WhatsApp, webhooks, replies).

The demo runs in its own process (`python -m sandbox.demo --once --verbose`, the same as `make demo`), in a
temporary directory so a developer's running `make demo` keeps its `.sandbox/urls.json`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.sandbox

# What must never be in a log line: a whole phone number (E.164, or an Indonesian mobile written nationally), a
# wamid (it base64-encodes the recipient's number), an access or refresh token, or the text a customer received.
_LEAKS = {
    "phone": re.compile(r"\+\d{9,15}\b|(?<![\w*])(?:62|0)8[1-9]\d{7,10}\b"),
    "wamid": re.compile(r"wamid\.[A-Za-z0-9+/=_-]{8,}"),
    "token": re.compile(r"EAAG\w+|Bearer\s+[A-Za-z0-9._~+/=-]{6,}|\"(?:access|refresh)_token\"\s*:\s*\"[^*\"]"),
    "message text": re.compile(r"Yth\.|Kami dari|Hello [A-Z][a-z]+,|this is a payment update|Terima kasih"),
}


def test_a_full_demo_cycles_logs_hold_no_phone_wamid_token_or_message_text(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.demo", "--once", "--verbose"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # The owner's side of "I have paid" reads as the dashboard says it, in the organisation's language.
    said = " ".join(result.stdout.split())
    assert 'The owner reads: Pelanggan menekan "Saya sudah membayar" di halaman pembayaran pada' in said
    assert "Note(" not in said
    logs = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("{")]
    decoder = json.JSONDecoder()
    records = [decoder.raw_decode(line)[0] for line in logs]  # a line may carry a metrics blob after the record
    messages = {r.get("message") for r in records if isinstance(r, dict) and "level" in r}
    assert {"reminder sent", "cycle finished", "whatsapp webhook processed"} <= messages  # a real cycle was logged
    for line in logs:
        for what, pattern in _LEAKS.items():
            assert not pattern.search(line), f"{what} in a log line: {line[:300]}"
