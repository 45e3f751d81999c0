"""Connecting the owner's WhatsApp number through Meta's Embedded Signup (v4), after the popup closed.

The dashboard page runs Meta's JS SDK (`FB.login` with our configuration id); the popup gives the page a short-lived
code, and its `WA_EMBEDDED_SIGNUP` message gives the phone number id and WhatsApp Business Account id the owner chose.
The page posts the three here. Then, server to server, as Meta's Tech Provider guide lists
(https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider):

1. exchange the code for the business token;
2. subscribe our app to the business account's webhooks (statuses, replies, template and account events);
3. confirm the business account lists the number for that token (the ids came through the browser);
4. register the number for Cloud API with a 6-digit two-step PIN (derived from a secret and the number: the same
   number gets the same PIN when it is connected again, and Lunas stores no PIN);
5. read its display number, verified name, quality rating and messaging limit;
6. store it with the token (encrypted) and route its webhooks here: refused when another organisation proved it;
7. push our message templates to the business account (`push_templates`): a failure there is reported, never undoes
   the number.

Nothing is stored before step 6, so a failure at any step leaves the organisation as it was; each failure is a
`WhatsAppSignupRefused` whose step and reason the dashboard explains in plain words (docs/whatsapp-onboarding.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.errors import WhatsAppAccountRefused
from chalicelib.domain.models import VerifiedWhatsAppNumber, WhatsAppAccount
from chalicelib.observability import count, logger
from chalicelib.ports import (
    MetaSignup,
    SignupReason,
    WhatsAppAccountCheck,
    WhatsAppNumbers,
    WhatsAppNumberTaken,
    WhatsAppSignupRefused,
)

_META_ID = re.compile(r"[0-9]{5,20}")  # ASCII digits only
_CODE = re.compile(r"[A-Za-z0-9._~+/=-]{8,4096}")  # an OAuth code: no spaces or quotes

TemplatesOutcome = Literal["pushed", "failed", "not_wired"]
# Pushes `templates/` to the business account with the new token (chalicelib/services/templates.py, when wired).
TemplatePush = Callable[[str, WhatsAppAccount], object]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectedNumber:
    """What the owner sees once the number is connected."""

    phone_number_id: str
    display_phone_number: str
    verified_name: str
    quality_rating: str | None
    messaging_limit_tier: str | None
    templates: TemplatesOutcome


@dataclass(kw_only=True)
class OnboardingDependencies:
    signup: MetaSignup
    account_check: WhatsAppAccountCheck
    numbers: WhatsAppNumbers
    pin_secret: str  # the registration PIN is derived from it (the Meta app secret)
    push_templates: TemplatePush | None = None


def registration_pin(secret: str, phone_number_id: str) -> str:
    """The number's 6-digit two-step verification PIN: stable per number, unguessable without the secret."""
    digest = hmac.new(secret.encode(), f"register-pin:{phone_number_id}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def connect_whatsapp(
    org_id: str, *, code: str, phone_number_id: str, business_account_id: str, deps: OnboardingDependencies
) -> ConnectedNumber:
    """Steps 1-7 above. Raises `WhatsAppSignupRefused` (nothing stored) when a step before the templates fails."""
    code, number_id, waba = code.strip(), phone_number_id.strip(), business_account_id.strip()
    if not _CODE.fullmatch(code) or not _META_ID.fullmatch(number_id) or not _META_ID.fullmatch(waba):
        raise WhatsAppSignupRefused("the signup answer is incomplete", step="input", reason="code_invalid")
    token = deps.signup.exchange_code(code)
    deps.signup.subscribe_app(business_account_id=waba, access_token=token)
    verified = _verify(deps, waba, number_id, token)
    deps.signup.register_number(
        phone_number_id=number_id, access_token=token, pin=registration_pin(deps.pin_secret, number_id)
    )
    details = deps.signup.read_number(phone_number_id=number_id, access_token=token)
    number = VerifiedWhatsAppNumber(
        phone_number_id=number_id,
        business_account_id=waba,
        display_phone_number=details.display_phone_number or verified.display_phone_number,
        verified_name=details.verified_name or verified.verified_name,
    )
    try:
        deps.numbers.set_whatsapp(
            org_id,
            number,
            token=token,
            quality_rating=details.quality_rating,
            messaging_limit_tier=details.messaging_limit_tier,
            throughput_level=details.throughput_level,
        )
    except WhatsAppNumberTaken:
        raise WhatsAppSignupRefused(
            "the number is used by another organisation", step="store", reason="number_taken"
        ) from None
    logger.info("whatsapp number connected through embedded signup", extra={"org_id": org_id})
    count("WhatsAppNumbersConnected")
    account = WhatsAppAccount(
        phone_number_id=number_id,
        business_account_id=waba,
        access_token=token,
        messaging_limit_tier=details.messaging_limit_tier,
        quality_rating=details.quality_rating,
        throughput_level=details.throughput_level,
    )
    return ConnectedNumber(
        phone_number_id=number_id,
        display_phone_number=number.display_phone_number,
        verified_name=number.verified_name,
        quality_rating=details.quality_rating,
        messaging_limit_tier=details.messaging_limit_tier,
        templates=_push_templates(deps, org_id, account),
    )


def _verify(deps: OnboardingDependencies, waba: str, number_id: str, token: str) -> VerifiedWhatsAppNumber:
    """The business account, read with the new token, lists the number (the ids came through the browser)."""
    try:
        return deps.account_check.verify(business_account_id=waba, phone_number_id=number_id, access_token=token)
    except WhatsAppAccountRefused as exc:
        reason: SignupReason = "unavailable" if exc.reason == "unavailable" else "no_access"
        raise WhatsAppSignupRefused(str(exc), step="verify", reason=reason, code=exc.code) from None


def _push_templates(deps: OnboardingDependencies, org_id: str, account: WhatsAppAccount) -> TemplatesOutcome:
    """THE template hook of a freshly connected number: push `templates/` to its business account. A failure is
    logged and reported (the owner sees each template's status); the number stays connected."""
    if deps.push_templates is None:
        return "not_wired"
    try:
        outcomes = deps.push_templates(org_id, account)
    except Exception:  # the number is connected whatever happens here
        logger.exception("pushing templates to a newly connected number failed", extra={"org_id": org_id})
        count("TemplatePushFailed")
        return "failed"
    refused = [o for o in outcomes if getattr(o, "outcome", "") == "refused"] if isinstance(outcomes, list) else []
    if refused:
        logger.warning("meta refused templates of a newly connected number", extra={"refused": len(refused)})
        return "failed"
    return "pushed"
