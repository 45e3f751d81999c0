"""`chalice package` reads app.py with its policy analyzer (chalice/analyzer.py) before it builds anything; the
analyzer cannot read every Python construct (an annotated module-level or local variable makes it fail with a
KeyError), and `make package` and `make bench` fail with it. Checked here, in a moment, instead of at deploy time."""

from __future__ import annotations

from pathlib import Path

from chalice.analyzer import get_client_calls_for_app


def test_chalice_can_analyse_app_py() -> None:
    source = (Path(__file__).resolve().parents[1] / "app.py").read_text()
    calls = get_client_calls_for_app(source)
    assert calls == {}  # app.py itself calls no AWS client: the policy lives in infra/ (docs/deploy-aws.md)
