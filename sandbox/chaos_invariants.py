"""Lunas' four promises, checked against the ground truth of one chaos scenario (sandbox/chaos.py collects it).

Pure: no I/O, so the checks themselves are tested on hand-made truths (tests/test_chaos.py) and can be trusted to
fail when a promise is broken. Times are unix seconds on the sandbox's one clock.

The promises, and how each is checked:

I1 never the same reminder twice: no two template messages Meta accepted cover the same (connection, invoice, stage),
   none two to one phone on one local day (the organisation's time zone), and every accepted template message can be
   tied, through the tracker Meta echoes, to the claim Lunas made before sending it.
I2 no consent, no message: for every accepted template message, an `opted_in` write for its phone had begun before
   the send request reached Meta, and no `opted_out` write had completed before it (unless an opt-in began after
   that opt-out and before the request). One case is a race, not a broken promise, and is counted apart (`races`):
   the opt-out write *began* after Lunas' final read of that phone's consent, made after the message's claim, right
   before the request left. Lunas decides at that read; a STOP written while the request is already on its way
   cannot stop it (no system can), so the measure of it is the gap between that read and the request.
I3 never about a paid invoice: no invoice an accepted message covers had been paid or voided in the accounting
   system before the send request reached Meta.
I4 every reminder sent or explained, once the faults are cleared, the webhooks drained and one clean cycle has run:
   every invoice still open has exactly one decision (a closed one at most one), none with a transient reason
   (`send_unconfirmed`, `deferred`, `would_send`, a `send_failed` that will be retried); every eligible invoice (open,
   its first stage reached, a mobile number whose consent is `opted_in`) is `sent` / `already_sent` with an accepted
   message covering it, or `already_messaged_today` with an accepted message to its phone that day; and no decision
   says `sent` / `already_sent` without an accepted message covering the invoice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

INVARIANTS = {
    "I1": "never twice (invoice+stage, phone+day)",
    "I2": "consent at send time",
    "I3": "never for a paid invoice",
    "I4": "sent or explained after faults",
}

SENT_REASONS = frozenset({"sent", "already_sent"})
ELIGIBLE_REASONS = SENT_REASONS | {"already_messaged_today"}
_ALWAYS_TRANSIENT = frozenset({"send_unconfirmed", "deferred", "would_send"})


def is_transient(reason: str, detail: str) -> bool:
    """A reason that says "not settled yet": the next cycle (or a status webhook) is expected to change it."""
    return reason in _ALWAYS_TRANSIENT or (reason == "send_failed" and "retry" in detail)


@dataclass(frozen=True)
class Accepted:
    """One template message Meta accepted."""

    wamid: str
    phone: str  # E.164
    requested_at: float  # when its send request reached Meta
    local_day: dt.date  # that instant's date in the organisation's time zone
    reminders: tuple[tuple[str, str, str], ...]  # (connection_id, invoice_id, stage) of the claim it was sent under
    tracker: str | None
    claimed_at: float | None = None  # when Lunas claimed it (the ledger's claimed_at), None if tied to no claim


@dataclass(frozen=True)
class InvoiceTruth:
    """An invoice as the accounting fake holds it at the end of the scenario."""

    connection_id: str
    invoice_id: str
    number: str
    phone: str | None  # the customer's mobile (E.164), None without one
    due_date: dt.date
    closed_at: float | None = None  # when it was paid or voided; None while open


@dataclass(frozen=True)
class ConsentWrite:
    """One write to a phone's consent record, as observed around the repository call."""

    status: str  # opted_in | opted_out
    started: float
    finished: float


@dataclass(frozen=True)
class DecisionTruth:
    connection_id: str
    invoice_id: str
    reason: str
    detail: str


@dataclass(frozen=True)
class GroundTruth:
    accepted: tuple[Accepted, ...]
    send_attempts: int  # template send requests that reached Meta (accepted or not)
    invoices: tuple[InvoiceTruth, ...]
    consents: Mapping[str, tuple[ConsentWrite, ...]]  # phone -> writes, in order
    decisions: tuple[DecisionTruth, ...]
    today: dt.date  # the local date of the clean cycle
    first_stage_offset: int  # the earliest stage, in days from the due date (-3 by default)
    notes: tuple[str, ...] = field(default=())  # odd but not a broken promise (shown with --seed)
    consent_reads: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # phone -> when Lunas read it


def check(truth: GroundTruth) -> dict[str, list[str]]:
    """Every broken promise, by invariant (I1..I4); empty lists when all hold."""
    return {
        "I1": _never_twice(truth),
        "I2": _consent_at_send(truth),
        "I3": _never_paid(truth),
        "I4": _sent_or_explained(truth),
    }


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%H:%M:%S.%f")[:-3]


def _never_twice(truth: GroundTruth) -> list[str]:
    found = []
    per_reminder: Counter[tuple[str, str, str]] = Counter()
    per_phone_day: defaultdict[tuple[str, dt.date], list[Accepted]] = defaultdict(list)
    for message in truth.accepted:
        if not message.reminders:
            found.append(
                f"{message.wamid} to {message.phone}: accepted but tied to no claim (tracker {message.tracker})"
            )
        per_reminder.update(message.reminders)
        per_phone_day[(message.phone, message.local_day)].append(message)
    found += [
        f"{count} messages accepted for {connection_id} invoice {invoice_id} stage {stage}"
        for (connection_id, invoice_id, stage), count in sorted(per_reminder.items())
        if count > 1
    ]
    found += [
        f"{len(messages)} messages accepted for {phone} on {day} at "
        + ", ".join(_when(m.requested_at) for m in messages)
        for (phone, day), messages in sorted(per_phone_day.items())
        if len(messages) > 1
    ]
    return found


def races(truth: GroundTruth) -> list[str]:
    """STOPs written while a message was already leaving: after Lunas' final read (made after the claim)."""
    return [f for message in truth.accepted for f in _consent_problems(truth, message) if f.startswith(_RACE)]


_RACE = "race: "


def _consent_at_send(truth: GroundTruth) -> list[str]:
    return [f for message in truth.accepted for f in _consent_problems(truth, message) if not f.startswith(_RACE)]


def _consent_problems(truth: GroundTruth, message: Accepted) -> list[str]:
    found = []
    writes = truth.consents.get(message.phone, ())
    at = message.requested_at
    opted_in = [w for w in writes if w.status == "opted_in" and w.started < at]
    if not opted_in:
        return [f"{message.wamid} to {message.phone} at {_when(at)}: no opt-in recorded"]
    for out in (w for w in writes if w.status == "opted_out" and w.finished < at):
        again = any(w.started > out.finished for w in opted_in)
        if not again:
            final = _final_read(truth, message)
            raced = final is not None and final < out.started
            found.append(
                (_RACE if raced else "")
                + f"{message.wamid} to {message.phone}: send request reached Meta at {_when(at)}, "
                f"{at - out.finished:.3f} s after the opt-out was recorded (at {_when(out.finished)}); "
                + _last_read(truth, message.phone, at, out)
            )
            break
    return found


def final_read_gaps(truth: GroundTruth) -> list[float]:
    """For each accepted message, seconds from Lunas' final consent read (after the claim) to the request."""
    finals = ((m, _final_read(truth, m)) for m in truth.accepted)
    return [m.requested_at - read for m, read in finals if read is not None]


def _final_read(truth: GroundTruth, message: Accepted) -> float | None:
    """Lunas' last read of the phone's consent after the message's claim and before its request, if any."""
    if message.claimed_at is None:
        return None
    reads = [r for r in truth.consent_reads.get(message.phone, ()) if message.claimed_at <= r < message.requested_at]
    return reads[-1] if reads else None


def _last_read(truth: GroundTruth, phone: str, at: float, out: ConsentWrite) -> str:
    """Lunas' last read of the phone's consent before the send: before the opt-out write began (a race: the STOP
    arrived while the message was already on its way), or after it (Lunas could have known)."""
    reads = [r for r in truth.consent_reads.get(phone, ()) if r < at]
    if not reads:
        return "Lunas never read this phone's consent before sending"
    last = reads[-1]
    when = "before" if last < out.started else "while" if last < out.finished else "after"
    return f"Lunas last read its consent at {_when(last)}, {when} the opt-out was being written"


def _never_paid(truth: GroundTruth) -> list[str]:
    invoices = {(i.connection_id, i.invoice_id): i for i in truth.invoices}
    found = []
    for message in truth.accepted:
        for connection_id, invoice_id, _stage in message.reminders:
            invoice = invoices.get((connection_id, invoice_id))
            if invoice is not None and invoice.closed_at is not None and invoice.closed_at < message.requested_at:
                found.append(
                    f"{message.wamid} covers {invoice.number}: send request reached Meta at "
                    f"{_when(message.requested_at)}, {message.requested_at - invoice.closed_at:.3f} s after it was "
                    f"paid or voided (at {_when(invoice.closed_at)})"
                )
    return found


def _consent_now(truth: GroundTruth, phone: str | None) -> str | None:
    writes = truth.consents.get(phone or "", ())
    return writes[-1].status if writes else None


def _sent_or_explained(truth: GroundTruth) -> list[str]:
    decisions: defaultdict[tuple[str, str], list[DecisionTruth]] = defaultdict(list)
    for d in truth.decisions:
        decisions[(d.connection_id, d.invoice_id)].append(d)
    covered = {r[:2] for m in truth.accepted for r in m.reminders}
    messaged_today = {m.phone for m in truth.accepted if m.local_day == truth.today}
    found = []
    for invoice in truth.invoices:
        key = (invoice.connection_id, invoice.invoice_id)
        mine = decisions.get(key, [])
        is_open = invoice.closed_at is None
        if len(mine) > 1 or (is_open and not mine):
            found.append(f"{invoice.number}: {len(mine)} decisions (open: {is_open})")
        elif mine:
            problem = _judge(truth, invoice, mine[0], sent=key in covered, messaged_today=messaged_today)
            found += [problem] if problem else []
    return found


def _judge(
    truth: GroundTruth, invoice: InvoiceTruth, decision: DecisionTruth, *, sent: bool, messaged_today: set[str]
) -> str | None:
    """What is wrong with an invoice's one decision after the clean cycle, if anything."""
    reason, detail = decision.reason, decision.detail
    if reason in SENT_REASONS and not sent:
        return f"{invoice.number}: decision {reason!r} but Meta accepted no message covering it"
    if invoice.closed_at is not None:
        return None
    if is_transient(reason, detail):
        return f"{invoice.number}: still {reason!r} after a clean cycle ({detail})"
    stage_reached = invoice.due_date + dt.timedelta(days=truth.first_stage_offset) <= truth.today
    eligible = stage_reached and invoice.phone is not None and _consent_now(truth, invoice.phone) == "opted_in"
    if eligible and reason not in ELIGIBLE_REASONS:
        return f"{invoice.number}: eligible but {reason!r} ({detail})"
    if eligible and reason == "already_messaged_today" and invoice.phone not in messaged_today:
        return f"{invoice.number}: 'already_messaged_today' but Meta accepted nothing for its phone today"
    return None
