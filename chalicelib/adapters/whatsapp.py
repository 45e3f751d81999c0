"""Meta WhatsApp Cloud API adapters: send approved templates (via pywa) and read which templates are usable.

Only the reminder worker imports this module: pywa is imported inside it, never by `app.py` at import time, to
keep it out of the API functions' cold start. Vendor errors leave here as `SendFailed`, classified for the service
layer: `retryable` (a later attempt can help) and `maybe_sent` (the request may have taken effect; never resend
blindly). The Graph version is pinned because each pywa release moves its default (4.5.0 -> 26.0).

Meta's send answer says more than pywa keeps: `messages[0].message_status` may say the message is held back by
template pacing (`held_for_quality_assessment`, `paused`; pywa 4.5.0 knows only the first and turns any other value
into UNKNOWN), and `contacts[0].wa_id` is the WhatsApp id Meta resolved the number to. Our own httpx client keeps the
answer's body (a response hook, per thread), and `SentMessage` carries both as Meta gave them.
https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Mapping
from typing import Any

import httpx
from pywa.client import WhatsApp
from pywa.errors import PywaUnknownEnumMemberWarning, WhatsAppError
from pywa.types.templates import BodyText, QuickReplyButton, TemplateLanguage, URLButton

from chalicelib.adapters import http
from chalicelib.adapters.http import graph_base
from chalicelib.adapters.whatsapp_templates import TemplateManagementError, WhatsAppTemplateManager
from chalicelib.domain import meta_errors
from chalicelib.domain.errors import SendFailed
from chalicelib.domain.models import ACCEPTED, STOP_REMINDERS_PAYLOAD, SentMessage, TemplateRef
from chalicelib.domain.replies import MORE_TIME_PAYLOAD, SAID_PAID_PAYLOAD
from chalicelib.observability import count

logger = logging.getLogger(__name__)

# pywa 4.5.0 warns on a `message_status` it does not know (e.g. "paused"); Lunas reads that value from the answer
# itself (`sent_message`), so pywa's fallback to UNKNOWN is of no consequence.
warnings.filterwarnings("ignore", message="Unknown SentTemplateStatus value", category=PywaUnknownEnumMemberWarning)

GRAPH_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "25.0"

# Every Lunas template has the pay-link URL button first, then the quick replies "stop", "I have paid" and "Need
# more time" (templates/whatsapp/).
URL_BUTTON_INDEX = 0
STOP_BUTTON_INDEX = 1
SAID_PAID_BUTTON_INDEX = 2
MORE_TIME_BUTTON_INDEX = 3

# Which Meta codes are worth retrying, and which mean "slow down": one table for all of Lunas
# (chalicelib/domain/meta_errors.py), re-exported here for the adapters' readers.
RETRYABLE_CODES = meta_errors.RETRYABLE_CODES
THROTTLE_CODES = meta_errors.THROTTLE_CODES


class _AnsweredWithoutGraphError(Exception):
    """An HTTP error answer whose body is not a Graph error (a proxy's 429 page, a load balancer's 502)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}")
        self.status = status
        self.reason = reason


def _refuse_unreadable_errors(response: httpx.Response) -> None:
    """httpx response hook: an error answer that pywa could not read as a Graph error becomes ours to classify.

    Without it pywa fails to decode the body and the send looks "maybe sent", which strands the reminder.
    """
    if response.status_code < 400:
        return
    response.read()
    try:
        body = response.json()
    except ValueError:
        body = None
    graph = isinstance(body, dict) and "error" in body
    if not graph:
        raise _AnsweredWithoutGraphError(response.status_code, response.reason_phrase)


class _SendAnswers:
    """The body of the last accepted send answer, per thread (httpx runs response hooks in the calling thread)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def keep(self, response: httpx.Response) -> None:
        """httpx response hook: remember a 2xx answer to `POST .../messages` (before pywa reads it)."""
        if response.status_code >= 300 or response.request.method != "POST":
            return
        if not response.request.url.path.endswith("/messages"):
            return
        response.read()
        try:
            body = response.json()
        except ValueError:
            body = None
        self._local.body = body if isinstance(body, dict) else None

    def take(self) -> dict[str, Any] | None:
        body: dict[str, Any] | None = getattr(self._local, "body", None)
        self._local.body = None
        return body


def sent_message(wamid: str, answer: Mapping[str, Any] | None) -> SentMessage:
    """A send answer (`{"contacts": [{"input", "wa_id"}], "messages": [{"id", "message_status"}]}`) -> SentMessage:
    `message_status` as Meta gave it (absent: accepted), `wa_id` as Meta resolved the number ("" when absent)."""
    first_message = _first(answer, "messages")
    first_contact = _first(answer, "contacts")
    status = first_message.get("message_status")
    wa_id = first_contact.get("wa_id")
    return SentMessage(
        wamid=wamid,
        accepted_status=str(status) if isinstance(status, str) and status else ACCEPTED,
        wa_id="".join(ch for ch in str(wa_id) if ch.isdigit()) if wa_id else "",
    )


def _first(answer: Mapping[str, Any] | None, key: str) -> Mapping[str, Any]:
    items = answer.get(key) if isinstance(answer, Mapping) else None
    first = items[0] if isinstance(items, list) and items else None
    return first if isinstance(first, Mapping) else {}


# One error for every read of the template list (the catalog and `lunas templates sync`), under its older name too.
TemplateCatalogError = TemplateManagementError


def _masked(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+{digits[:4]}…{digits[-3:]}" if len(digits) > 7 else "+…"


def classify_whatsapp_error(error: WhatsAppError) -> SendFailed:
    """Map a Graph error (API response) to SendFailed. The request was answered, so it was not sent."""
    status = error.status_code
    error_class = meta_errors.classify(error.code, http_status=status)
    throttled = error_class is meta_errors.ErrorClass.RETRYABLE and meta_errors.is_throttle(error.code, status)
    retryable = error_class is meta_errors.ErrorClass.RETRYABLE
    title = error.message
    detail = f": {error.details}" if error.details else ""
    return SendFailed(
        f"Meta refused the message (code {error.code}, HTTP {status}){detail}",
        code=error.code,
        title=title,
        retryable=retryable,
        maybe_sent=False,
        throttled=throttled,
    )


def classify_unreadable_error(error: _AnsweredWithoutGraphError) -> SendFailed:
    """An error answer without a Graph body: it was answered, so not sent; 429 means slow down, 5xx try later."""
    return SendFailed(
        f"Meta answered {error} without an error body",
        code=None,
        title=f"HTTP {error.status} {error.reason}",
        retryable=error.status == 429 or error.status >= 500,
        maybe_sent=False,
        throttled=error.status == 429,
    )


def classify_transport_error(error: httpx.TransportError) -> SendFailed:
    """A transport failure: decide whether the request can have reached Meta."""
    never_left = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
    if isinstance(error, never_left):
        # No connection was ever made, so Meta cannot have seen it: safe to try again.
        retryable = not isinstance(error, httpx.UnsupportedProtocol)
        return SendFailed(
            f"could not reach Meta ({type(error).__name__})",
            code=None,
            title=type(error).__name__,
            retryable=retryable,
            maybe_sent=False,
        )
    # Read timeout, dropped connection, protocol error after the request was written: Meta may have accepted it.
    return SendFailed(
        f"no answer from Meta after sending ({type(error).__name__}); the message may have been sent",
        code=None,
        title=type(error).__name__,
        retryable=False,
        maybe_sent=True,
    )


class WhatsAppMessageSender:
    """`chalicelib.ports.MessageSender` over pywa, from one business phone number."""

    def __init__(
        self,
        *,
        phone_number_id: str,
        access_token: str,
        api_version: str = DEFAULT_API_VERSION,
        graph_base_url: str = GRAPH_BASE_URL,
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 5.0,
    ) -> None:
        self._answers = _SendAnswers()
        self._http = http.client(
            timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
            event_hooks={"response": [_refuse_unreadable_errors, self._answers.keep]},
        )
        self._wa = WhatsApp(phone_id=phone_number_id, token=access_token, api_version=api_version, session=self._http)
        # pywa hard-codes graph.facebook.com in its constructor; re-pointing our own client is public API.
        self._http.base_url = httpx.URL(graph_base(graph_base_url, api_version))

    def close(self) -> None:
        self._http.close()

    def send_template(
        self,
        *,
        to: str,
        template: TemplateRef,
        body_params: Mapping[str, str],
        button_url_suffix: str | None,
        tracker: str,
    ) -> SentMessage:
        try:
            language = TemplateLanguage(template.language)
        except (ValueError, TypeError):  # pywa 4.5.0's lookup of an unknown code raises TypeError, not ValueError
            raise SendFailed(
                f"unsupported template language {template.language!r}",
                code=None,
                title="unsupported language",
                retryable=False,
            ) from None
        params: list[Any] = [BodyText.params(**dict(body_params))]
        if button_url_suffix is not None:  # a reminder: the pay link, then the quick replies
            params.append(URLButton.params(url_variable=button_url_suffix, index=URL_BUTTON_INDEX))
            # Without an explicit payload Meta echoes the (translated) label; inbound handling matches on the payload.
            params.append(QuickReplyButton.params(callback_data=STOP_REMINDERS_PAYLOAD, index=STOP_BUTTON_INDEX))
            params.append(QuickReplyButton.params(callback_data=SAID_PAID_PAYLOAD, index=SAID_PAID_BUTTON_INDEX))
            params.append(QuickReplyButton.params(callback_data=MORE_TIME_PAYLOAD, index=MORE_TIME_BUTTON_INDEX))
        # None: a template without buttons (the thank-you, templates/whatsapp/lunas_payment_thanks.*.json)
        count("WhatsAppApiCalls")
        self._answers.take()  # nothing left over from an earlier call
        try:
            sent = self._wa.send_template(to=to, name=template.name, language=language, params=params, tracker=tracker)
        except WhatsAppError as exc:
            failure = classify_whatsapp_error(exc)
        except _AnsweredWithoutGraphError as exc:
            failure = classify_unreadable_error(exc)
        except httpx.TransportError as exc:
            failure = classify_transport_error(exc)
        except (ValueError, KeyError, TypeError) as exc:
            # A 2xx whose body we cannot read (JSONDecodeError is a ValueError): Meta may well have accepted it.
            failure = SendFailed(
                f"unreadable answer from Meta ({type(exc).__name__}); the message may have been sent",
                code=None,
                title="unreadable response",
                retryable=False,
                maybe_sent=True,
            )
        else:
            answer = sent_message(str(sent.id), self._answers.take())
            logger.info(
                "whatsapp template %s/%s %s for %s",
                template.name,
                template.language,
                answer.accepted_status,
                _masked(to),
            )
            return answer
        logger.warning(
            "whatsapp template %s/%s to %s failed: code=%s retryable=%s maybe_sent=%s",
            template.name,
            template.language,
            _masked(to),
            failure.code,
            failure.retryable,
            failure.maybe_sent,
        )
        raise failure

    def send_text(self, *, to: str, text: str, reply_to: str | None = None) -> SentMessage:
        """A free-form text (only inside the customer's 24-hour window, e.g. the opt-out confirmation).

        Raises:
            SendFailed: Meta refused it (131047 outside the window) or the outcome is unknown (`maybe_sent`).
        """
        count("WhatsAppApiCalls")
        self._answers.take()
        try:
            sent = self._wa.send_message(to=to, text=text, reply_to_message_id=reply_to)
        except WhatsAppError as exc:
            raise classify_whatsapp_error(exc) from None
        except _AnsweredWithoutGraphError as exc:
            raise classify_unreadable_error(exc) from None
        except httpx.TransportError as exc:
            raise classify_transport_error(exc) from None
        logger.info("whatsapp text accepted for %s", _masked(to))
        return sent_message(str(sent.id), self._answers.take())


class WhatsAppTemplateCatalog:
    """Which (name, language) templates may be sent now: APPROVED and still UTILITY.

    Meta can re-categorise an approved utility template as MARKETING; sending it then costs more and exposes the
    reminders to marketing opt-outs and caps, so such a template counts as unavailable. The list itself (every page
    of `GET /{waba-id}/message_templates`) is read by the template manager that also pushes and syncs them.
    """

    def __init__(
        self,
        *,
        waba_id: str,
        access_token: str,
        api_version: str = DEFAULT_API_VERSION,
        graph_base_url: str = GRAPH_BASE_URL,
        timeout_seconds: float = 10.0,
        page_size: int = 100,
        max_pages: int = 50,
    ) -> None:
        self._templates = WhatsAppTemplateManager(
            waba_id=waba_id,
            access_token=access_token,
            graph_base_url=graph_base_url,
            api_version=api_version,
            timeout_seconds=timeout_seconds,
            page_size=page_size,
            max_pages=max_pages,
        )

    def close(self) -> None:
        self._templates.close()

    def approved_templates(self) -> frozenset[TemplateRef]:
        """Raises `TemplateCatalogError` when Meta's list cannot be read (`retryable` says whether later may help)."""
        return frozenset(
            TemplateRef(name=t.name, language=t.language)
            for t in self._templates.listed()
            if t.status == "APPROVED" and t.category == "UTILITY"
        )
