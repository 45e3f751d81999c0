"""Inbound webhooks from Meta (WhatsApp), Xero and QuickBooks: verify, make durable, then process from a queue.

`intake.py` is what the HTTP routes call (signature check, enqueue, nothing else); `worker.py` is the SQS worker
that dispatches each stored body to `whatsapp.py` or `accounting.py`. See docs/webhooks.md.
"""
