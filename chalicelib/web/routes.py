"""The owner's dashboard: one Chalice Blueprint (`web`, registered by `app.py`) of server-rendered pages, form
handlers and a small JSON API.

The handlers live by topic, each a few lines (who is asking, one call into `dashboard.py` or
`services/connections.py`, one page or redirect): `auth_routes.py` (sign-in and the connect flows),
`dashboard_routes.py` (overview, invoices, preview, Run now, JSON API), `settings_routes.py` (settings and consent
forms), `payment_routes.py` (the payment instructions customers see on their pay pages). What they share (the
request context, session and CSRF checks, error pages) is in `handler.py`. Importing this module imports them all,
which is what registers their routes on `web`.
"""

from __future__ import annotations

from chalicelib.web import auth_routes, dashboard_routes, payment_routes, settings_routes
from chalicelib.web.handler import web

__all__ = ["ROUTE_MODULES", "web"]

# Imported for their @web.route registrations.
ROUTE_MODULES = (auth_routes, dashboard_routes, settings_routes, payment_routes)
