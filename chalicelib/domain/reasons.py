"""What each decision means, in words an owner understands (shown when a reason carries no detail of its own)."""

from __future__ import annotations

from chalicelib.domain.models import Reason

EXPLANATIONS: dict[Reason, str] = {
    Reason.SENT: "reminder sent",
    Reason.WOULD_SEND: "will be sent in this cycle",
    Reason.PAID: "already paid (or voided) in the accounting system",
    Reason.PAUSED: "reminders are paused for this customer or invoice",
    Reason.BELOW_MINIMUM: "amount is below the organisation's minimum",
    Reason.NOT_DUE: "no reminder stage reached yet",
    Reason.ALREADY_SENT: "this stage's reminder was already sent",
    Reason.SEND_UNCONFIRMED: "a send is in flight or its outcome is unknown; it is never repeated blindly",
    Reason.NO_PHONE: "no mobile number on the customer record",
    Reason.INVALID_PHONE: "the customer's number cannot receive WhatsApp (landline or invalid)",
    Reason.NOT_ON_WHATSAPP: "Meta reported this number is not on WhatsApp",
    Reason.NO_CONSENT: "no WhatsApp opt-in recorded for this number",
    Reason.OPTED_OUT: "the customer asked not to receive reminders",
    Reason.OUTSIDE_WINDOW: "outside the organisation's send window; will be sent in the next window",
    Reason.ALREADY_MESSAGED_TODAY: "this number already got a message today (one per customer per day)",
    Reason.TEMPLATE_NOT_APPROVED: "the WhatsApp template is not approved for use",
    Reason.SEND_FAILED: "Meta did not accept the message",
    Reason.DEFERRED: "something changed right before sending; it is planned again in the next cycle",
}


def explain(reason: Reason, detail: str = "") -> str:
    """The detail when there is one (it is more specific), else the general explanation."""
    return detail or EXPLANATIONS.get(reason, reason.value)
