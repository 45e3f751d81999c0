"""Shared fixtures: one embedded sandbox (moto server + fake Xero + fake Meta + the app over HTTP) per test session.

Tests isolate themselves by creating their own organisation, Xero tenant and WhatsApp number (see tests/world.py),
never by resetting shared state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Safe defaults before anything builds an AWS client: a test can never reach a real account.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "LunasTest")


def pytest_configure(config: pytest.Config) -> None:
    """`LUNAS_TEST_WALL_CLOCK=2028-02-29T08:00:00+00:00` runs the session with the machine's clock moved there.

    Every test pins the dates it cares about through the sandbox clock, so none may notice where the machine's
    clock is: `make test-moved-clock` proves it on a year ahead and on a 29 February (see the Makefile).
    """
    _speak_only_the_shipped_locales(config)
    moved_to = os.environ.get("LUNAS_TEST_WALL_CLOCK")
    if moved_to:
        import time_machine

        traveller = time_machine.travel(moved_to, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def _speak_only_the_shipped_locales(config: pytest.Config) -> None:
    """Babel with only the locale data the Lambda package ships (`wording.babel_locales()`), for the whole session.

    The package drops every other locale (infra/lunas_infra/lean_layer.py), so a message, page or amount that needs
    one would fail in Lambda: here it fails in the tests that render it (tests/test_locales.py renders them all).
    """
    import shutil
    import tempfile

    import babel.localedata

    from chalicelib.domain.wording import babel_locales

    shipped = Path(tempfile.mkdtemp(prefix="lunas-babel-"))
    full = babel.localedata._dirname
    for name in babel_locales():
        shutil.copy2(Path(full) / f"{name}.dat", shipped)

    def use(directory: str) -> None:
        babel.localedata._dirname = directory
        babel.localedata._cache.clear()
        babel.localedata.locale_identifiers.cache_clear()

    use(str(shipped))
    config.add_cleanup(lambda: (use(full), shutil.rmtree(shipped, ignore_errors=True)))


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from sandbox.run import start_sandbox
    from tests.world import _RUNNING

    started = start_sandbox(Path(tmp_path_factory.mktemp("sandbox")) / "urls.json")
    _RUNNING.append(started)
    yield started
    _RUNNING.remove(started)
    started.stop()


@pytest.fixture
def world(sandbox: Any) -> Any:
    """A fresh organisation (see tests/world.py), with Lunas' clock pinned to a Tuesday 10:00 in Jakarta."""
    from tests.world import TUESDAY_10_JAKARTA, World, set_clock

    set_clock(TUESDAY_10_JAKARTA)
    return World(sandbox, today=TUESDAY_10_JAKARTA.date())


@pytest.fixture(autouse=True)
def _no_leftover_reminder_work(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used the sandbox: no active connection and no queued cycle survives into the next test.

    The hourly fan-out (rightly) picks up every active connection in the table, so one test's leftovers would run,
    and possibly fail, inside another test's cycle. Resetting here means no test has to remember to clean up.
    """
    yield
    if "sandbox" not in request.fixturenames:
        return
    import boto3

    from chalicelib import bootstrap
    from chalicelib.domain.models import ConnectionStatus

    started = request.getfixturevalue("sandbox")
    connections = bootstrap.container().stores.connections
    for connection in connections.active():
        connections.set_status(connection.org_id, connection.connection_id, ConnectionStatus.DISCONNECTED)
    sqs = boto3.client("sqs")
    for url in (started.aws.queue_url, started.aws.dead_letter_queue_url):
        _empty(sqs, url)


def _empty(sqs: Any, queue_url: str, max_batches: int = 50) -> None:
    """Receive-and-delete until empty (PurgeQueue may run only once a minute per queue)."""
    for _ in range(max_batches):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages")
        if not messages:
            return
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
