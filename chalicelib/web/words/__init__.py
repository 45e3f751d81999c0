"""The dashboard's words, one module per part of the product, each with an `EN` and an `ID` table of the same keys.

`chalicelib.web.i18n` merges them; a new part of the dashboard adds its own module here and to `AREAS`.
"""

from __future__ import annotations

from chalicelib.web.words import (
    audit_export,
    basics,
    consent,
    home,
    notes,
    notice,
    notifications,
    privacy_requests,
    replies_customers,
    schedule_feedback,
    schedules,
    templates_costs,
    thanks,
    whatsapp_connect,
)

AREAS = (
    basics,
    whatsapp_connect,
    schedule_feedback,
    templates_costs,
    privacy_requests,
    consent,
    home,
    replies_customers,
    notice,
    audit_export,
    notifications,
    notes,
    schedules,
    thanks,
)
