"""Inbound webhooks from Meta (WhatsApp), Xero and QuickBooks: verify, make durable, then process from a queue.

`intake.py` is what the HTTP routes call (signature check, enqueue, nothing else); `worker.py` is the SQS worker
that dispatches each stored body to `whatsapp.py` or `accounting.py`, which apply its events. Vendor payloads are
parsed into typed events (`chalicelib/domain/events.py`) by the adapters (`meta_events.py`, `xero_events.py`,
`quickbooks_events.py`); what a customer's reply does is `services/replies.py`'s. See docs/webhooks.md.
"""
