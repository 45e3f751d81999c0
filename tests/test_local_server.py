"""The sandbox serves app.py like API Gateway and Lambda do: one request per container, never one request's query or
headers read while answering another.

Chalice keeps the request being answered on the app object (`app.current_request`); Lambda runs one request per
container, but Chalice's local server answers each request in its own thread. Without the sandbox keeping one current
request per thread, a webhook arriving while a customer opens `/pay/{code}?lang=en` could answer the customer in the
wrong language (seen once in CI).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx

from sandbox.run import Sandbox

REQUESTS = 120  # bounded: 120 small GETs, 8 at a time


def _language_of(base: str, language: str) -> tuple[str, str]:
    answer = httpx.get(f"{base}/privacy?lang={language}", timeout=30)
    shown = re.search(r'<html lang="(\w+)">', answer.text)
    return language, shown.group(1) if shown else f"status {answer.status_code}"


def test_concurrent_requests_each_get_the_answer_to_their_own_query(sandbox: Sandbox) -> None:
    asked = ["en" if n % 2 else "id" for n in range(REQUESTS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda language: _language_of(sandbox.app_url, language), asked))
    wrong = [(wanted, got) for wanted, got in answers if wanted != got]
    assert not wrong, f"{len(wrong)} of {REQUESTS} answered in the other request's language: {wrong[:5]}"
