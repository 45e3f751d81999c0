"""The log scrubber masks phones (where they are phones), wamids and tokens, and leaves every id needed to correlate."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.domain.masking import mask_wamid, scrub, scrub_fields

PHONE = "+6281234567890"
WA_ID = PHONE.removeprefix("+")
MASKED = "+62********890"
WAMID = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjNFQjBDNkE2QTc3RkE3RjE0QQA="
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-632145678215"  # an all-digit last group, as the old scrubber mangled
ARN = "arn:aws:lambda:ap-southeast-3:628123456789:function:lunas-dev"  # an account id shaped like a wa_id, even
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"


@pytest.mark.parametrize(
    "text",
    [
        REQUEST_ID,
        ARN,
        TRACE_ID,
        "1250000",
        "Rp 1.250.000",
        "1250000.00",
        "62800000000",  # Rp 62.8 bn
        "INV-2413",
        "QB-1042",
        "2026-11-24",
        "2026-11-24T03:00:00+00:00",
        "2026-11-24 03:00:00,123+0700",
        "1764000000",
        "1764000000000",
        "9130357766312345",  # a QuickBooks realm id
        "3f8a2c1e-58d4-4a7b-9c0e-123456789012",  # a Xero tenant id
        '{"phone_number_id": "106540352242922"}',  # Meta's id for the business number, not a number
        '{"from": "2026-11-01", "to": "2026-11-30"}',
        "+62********002",  # already masked by the call site
    ],
)
def test_ids_amounts_and_dates_are_left_intact(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"reply from {PHONE}, paused", f"reply from {MASKED}, paused"),
        ("call +62 812-3456-7890 today", f"call {MASKED} today"),
        ("call +1 (415) 555-0100 about 1250000", "call +14******100 about 1250000"),
        (f"https://wa.me/{WA_ID}?text=hi", f"https://wa.me/{MASKED}?text=hi"),
        (f"phone=%2B{WA_ID}&x=1", f"phone={MASKED}&x=1"),
        (f"reply from {WA_ID}.", f"reply from {MASKED}."),  # a bare Indonesian mobile
        (f'{{"wa_id": "{WA_ID}", "amount": 1250000}}', f'{{"wa_id": "{MASKED}", "amount": 1250000}}'),
        (f"{{'from': '{WA_ID}', 'timestamp': '1764000000'}}", f"{{'from': '{MASKED}', 'timestamp': '1764000000'}}"),
        ("{'phone': '0812-3456-7001'}", "{'phone': '+08*******001'}"),
    ],
)
def test_phones_in_free_text_are_masked_to_their_last_digits(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_a_wamid_becomes_a_short_hash_that_still_matches_across_lines() -> None:
    scrubbed = scrub(f"sent {WAMID} to {PHONE}")
    assert WAMID not in scrubbed and WAMID.removeprefix("wamid.")[:8] not in scrubbed
    assert scrubbed == f"sent {mask_wamid(WAMID)} to {MASKED}"
    assert mask_wamid(WAMID) == mask_wamid(WAMID) != mask_wamid(WAMID[:-2] + "Q=")
    assert mask_wamid(WAMID).startswith("wamid.#")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***"),
        ('{"token": "s3cr3t-value"}', '{"token": "***"}'),
        (
            "{'access_token': 'eyJabc.def', 'refresh_token': 'r3fr3sh'}",
            "{'access_token': '***', 'refresh_token': '***'}",
        ),
        ("GET /webhook?hub.verify_token=abcdef123", "GET /webhook?hub.verify_token=***"),
    ],
)
def test_tokens_are_masked(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_a_webhook_payload_is_masked_by_key_and_keeps_its_ids() -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": {
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"wa_id": WA_ID, "profile": {"name": "Budi"}}],
            "messages": [{"from": WA_ID, "id": WAMID, "timestamp": "1764000000"}],
            "statuses": [{"recipient_id": int(WA_ID), "id": WAMID, "status": "read"}],
        }}]}],
        "to": "2026-11-30", "from": 1764000000, "realm_id": "9130357766312345", "amount": 1250000, "token": "abc",
    }  # fmt: skip
    scrubbed = scrub_fields(payload)
    value = scrubbed["entry"][0]["changes"][0]["value"]
    assert value["contacts"][0]["wa_id"] == value["messages"][0]["from"] == value["statuses"][0]["recipient_id"]
    assert value["contacts"][0]["wa_id"] == MASKED
    assert value["metadata"] == {"display_phone_number": "+15******881", "phone_number_id": "106540352242922"}
    assert value["messages"][0]["id"] == value["statuses"][0]["id"] == mask_wamid(WAMID)
    assert value["messages"][0]["timestamp"] == "1764000000"
    assert scrubbed["entry"][0]["id"] == "102290129340398"
    assert {k: scrubbed[k] for k in ("to", "from", "realm_id", "amount", "token")} == {
        "to": "2026-11-30", "from": 1764000000, "realm_id": "9130357766312345", "amount": 1250000, "token": "***",
    }  # fmt: skip
    assert WA_ID not in json.dumps(scrubbed)


@pytest.fixture
def captured_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the production logger writes, through the production formatter (the scrubber included)."""
    from chalicelib.observability import logger

    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)
    try:
        yield stream
    finally:
        logging.getLogger(logger.name).removeHandler(handler)
        logger.remove_keys(["function_name", "function_memory_size", "function_arn", "function_request_id"])


def test_the_logger_keeps_the_lambda_context_and_masks_the_phone_and_wamid(captured_logs: io.StringIO) -> None:
    from chalicelib.observability import logger

    @logger.inject_lambda_context  # as app.py does, through Chalice middleware
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.info(f"reminder sent to {PHONE} as {WAMID}", extra={"wa_id": WA_ID, "amount": 1250000})

    context = SimpleNamespace(
        function_name="lunas-dev", memory_limit_in_mb=256, invoked_function_arn=ARN, aws_request_id=REQUEST_ID
    )
    handler({}, context)
    output = captured_logs.getvalue()
    line = json.loads(output)
    assert (line["function_request_id"], line["function_arn"], line["xray_trace_id"]) == (REQUEST_ID, ARN, TRACE_ID)
    assert line["message"] == f"reminder sent to {MASKED} as {mask_wamid(WAMID)}"
    assert (line["wa_id"], line["amount"]) == (MASKED, 1250000)
    assert WA_ID not in output and WAMID not in output
