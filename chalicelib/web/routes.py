"""The owner's dashboard: one Chalice Blueprint (`web`, registered by `app.py`) of server-rendered pages, form
handlers and a small JSON API.

The handlers live by topic, each a few lines (who is asking, one call into `dashboard.py` or
`services/connections.py`, one page or redirect): `auth_routes.py` (sign-in and the connect flows),
`dashboard_routes.py` (overview, invoices, preview, Run now, JSON API), `settings_routes.py` (settings and consent
forms), `payment_routes.py` (the payment instructions customers see on their pay pages), `privacy_routes.py` (a
person's request by phone number, deleting the organisation), `customer_routes.py` (the replies inbox, one
customer's page), `notice_routes.py` (the public privacy notice), `audit_routes.py` (the activity page),
`export_routes.py` (the owner's export), `whatsapp_removal_routes.py` (removing the WhatsApp number). What they share
(the request context, session and CSRF checks, error pages) is in `handler.py`. Importing this module imports them
all, which is what registers their routes on `web`.
"""

from __future__ import annotations

from chalicelib.web import (
    audit_routes,
    auth_routes,
    customer_routes,
    dashboard_routes,
    export_routes,
    notice_routes,
    payment_routes,
    privacy_routes,
    settings_routes,
    whatsapp_removal_routes,
)
from chalicelib.web.handler import web

__all__ = ["ROUTE_MODULES", "web"]

# Imported for their @web.route registrations.
ROUTE_MODULES = (
    auth_routes,
    dashboard_routes,
    settings_routes,
    payment_routes,
    privacy_routes,
    customer_routes,
    notice_routes,
    audit_routes,  # the activity page (audit log)
    export_routes,  # the owner's export
    whatsapp_removal_routes,  # removing the WhatsApp number
)
