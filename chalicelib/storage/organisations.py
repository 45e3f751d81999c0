"""Organisations (reminder settings, WhatsApp number and its encrypted token) and their members."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import (
    Money,
    NamedSchedule,
    ReminderSettings,
    SendWindow,
    Stage,
    VerifiedWhatsAppNumber,
    WhatsAppAccount,
)
from chalicelib.domain.records import Membership, WhatsAppSummary
from chalicelib.observability import count, logger
from chalicelib.ports import Cipher, Clock, NumberHealthUpdate, WhatsAppNumberTaken
from chalicelib.storage import segment_schedules
from chalicelib.storage.dynamo import shared_connection
from chalicelib.storage.routes import DynamoRoutes
from chalicelib.storage.schema import MembershipRecord, OrganisationRecord, RouteRecord, org_pk
from chalicelib.storage.whatsapp_alerts import clear_account_block
from chalicelib.storage.writes import conditional_failed, edit_versioned


class NotFound(LunasError):
    """The organisation has no such item."""


# The profile's WhatsApp attributes (storage/schema.py OrganisationRecord): all cleared when the number is removed.
_WHATSAPP_FIELDS = (
    "wa_phone_number_id",
    "wa_business_account_id",
    "wa_token_ciphertext",
    "wa_verified_at",
    "wa_display_phone_number",
    "wa_verified_name",
    "wa_quality_rating",
    "wa_messaging_limit_tier",
    "wa_throughput_level",
    "wa_account_status",
    "wa_health_at",
)


def _route(pk: str, sk: str) -> RouteRecord | None:
    try:
        return RouteRecord.get(pk, sk)
    except RouteRecord.DoesNotExist:
        return None


def _hhmm(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def _named_schedules(record: OrganisationRecord) -> tuple[NamedSchedule, ...]:
    return tuple(
        NamedSchedule(
            schedule_id=str(item["id"]),
            name=str(item["name"]),
            stages=tuple(Stage(int(d)) for d in item["stages"] or ()),
            stages_off=tuple(Stage(int(d)) for d in item.get("stages_off") or ()),
        )
        for item in map(segment_schedules.plain_map, record.schedules or ())
    )


def _schedule_item(schedule: NamedSchedule) -> MapAttribute[str, Any]:
    return MapAttribute(
        id=schedule.schedule_id,
        name=schedule.name,
        stages=[s.offset_days for s in schedule.stages],
        stages_off=[s.offset_days for s in schedule.stages_off],
    )


def _settings_fields(settings: ReminderSettings) -> dict[str, object]:
    """The profile attributes that hold the reminder settings and the organisation's country."""
    return {
        "business_name": settings.business_name,
        "country": settings.country,
        "timezone": settings.timezone,
        "language": settings.language,
        "stages": [s.offset_days for s in settings.stages],
        "window_start": settings.window.start.strftime("%H:%M"),
        "window_end": settings.window.end.strftime("%H:%M"),
        "window_weekdays": sorted(settings.window.weekdays),
        "minimum_amounts": {m.currency: str(m.amount) for m in settings.minimum_amounts},
        "stages_off": [s.offset_days for s in settings.stages_off],
        "skip_holidays": settings.skip_holidays,
        "days_off": [d.isoformat() for d in settings.days_off],
    }


class DynamoOrganisationRepository:
    """One organisation's profile: reminder settings and its WhatsApp number (the token KMS-encrypted)."""

    def __init__(self, cipher: Cipher, clock: Clock) -> None:
        self._cipher = cipher
        self._clock = clock

    def save(self, settings: ReminderSettings, whatsapp: WhatsAppAccount | None = None) -> None:
        """Create the organisation (sign-up). A WhatsApp account given here (the sandbox's and the tests' seeding)
        is routed as an unproven claim, which gives way to an organisation that proves the number (`set_whatsapp`).
        """
        record = OrganisationRecord(org_pk(settings.org_id), "PROFILE")
        for name, value in _settings_fields(settings).items():
            setattr(record, name, value)
        record.thank_paid = True if settings.thank_paid else None
        if whatsapp is not None:
            record.wa_phone_number_id = whatsapp.phone_number_id
            record.wa_business_account_id = whatsapp.business_account_id
            record.wa_token_ciphertext = self._cipher.encrypt(
                whatsapp.access_token.encode(), self._context(settings.org_id)
            )
        record.save()
        if whatsapp is not None:  # webhooks find the organisation by the number Meta posts for (chalicelib/webhooks)
            now = self._clock.now()
            DynamoRoutes().claim_phone_number(whatsapp.phone_number_id, settings.org_id, now)
            if whatsapp.business_account_id:
                DynamoRoutes().add_business_account(whatsapp.business_account_id, settings.org_id, now)

    def settings(self, org_id: str) -> ReminderSettings:
        """The settings, with the named schedules and which customer follows which (read only when there are any)."""
        record = self._get(org_id)
        schedules = _named_schedules(record)
        return ReminderSettings(
            org_id=org_id,
            business_name=record.business_name,
            country=record.country,
            timezone=record.timezone,
            language=record.language,
            stages=tuple(Stage(int(d)) for d in record.stages),
            window=SendWindow(
                start=_hhmm(record.window_start),
                end=_hhmm(record.window_end),
                weekdays=frozenset(int(d) for d in record.window_weekdays),
            ),
            minimum_amounts=tuple(Money(Decimal(str(v)), c) for c, v in record.minimum_amounts.as_dict().items()),
            stages_off=tuple(Stage(int(d)) for d in record.stages_off or ()),
            skip_holidays=bool(record.skip_holidays),
            days_off=tuple(dt.date.fromisoformat(d) for d in record.days_off or ()),
            schedules=schedules,
            schedule_of=segment_schedules.assignments(org_id) if schedules else {},
            thank_paid=bool(record.thank_paid),
        )

    def whatsapp(self, org_id: str) -> WhatsAppAccount | None:
        record = self._get(org_id)
        if not (record.wa_phone_number_id and record.wa_token_ciphertext):
            return None
        token = self._cipher.decrypt(record.wa_token_ciphertext, self._context(org_id)).decode()
        return WhatsAppAccount(
            phone_number_id=record.wa_phone_number_id,
            business_account_id=record.wa_business_account_id or "",
            access_token=token,
            messaging_limit_tier=record.wa_messaging_limit_tier or None,
            quality_rating=record.wa_quality_rating or None,
            throughput_level=record.wa_throughput_level or None,
        )

    def update_settings(self, settings: ReminderSettings) -> None:
        """Edit the reminder settings and the country in place (optimistic locking), keeping the WhatsApp number and
        token."""

        def change(record: OrganisationRecord) -> None:
            for name, value in _settings_fields(settings).items():
                setattr(record, name, value)

        self._edit(settings.org_id, change)

    def set_thank_paid(self, org_id: str, on: bool) -> None:
        """The Settings switch for thank-you messages (domain/thanks.py); kept apart from the schedule's fields."""

        def change(record: OrganisationRecord) -> None:
            record.thank_paid = True if on else None

        self._edit(org_id, change)

    # -- named schedules (chalicelib/domain/segment_schedules.py) --

    def add_schedule(self, org_id: str, name: str, stages: tuple[Stage, ...], stages_off: tuple[Stage, ...]) -> str:
        """A new named schedule; its id (never reused). ScheduleRefused: over the limit, or a bad or taken name."""
        import secrets

        from chalicelib.domain.segment_schedules import check_name, check_room

        new_id = secrets.token_hex(4)

        def change(record: OrganisationRecord) -> None:
            current = _named_schedules(record)
            check_room(current)
            named = NamedSchedule(
                schedule_id=new_id, name=check_name(name, current), stages=stages, stages_off=stages_off
            )
            record.schedules = [_schedule_item(s) for s in (*current, named)]

        self._edit(org_id, change)
        return new_id

    def update_schedule(self, org_id: str, schedule: NamedSchedule) -> None:
        """Rename a named schedule and set its stages. ScheduleRefused: not found, or a bad or taken name."""
        from chalicelib.domain.segment_schedules import ScheduleRefused, check_name

        def change(record: OrganisationRecord) -> None:
            current = _named_schedules(record)
            if schedule.schedule_id not in {s.schedule_id for s in current}:
                raise ScheduleRefused("not_found")
            name = check_name(schedule.name, current, schedule_id=schedule.schedule_id)
            edited = NamedSchedule(
                schedule_id=schedule.schedule_id, name=name, stages=schedule.stages, stages_off=schedule.stages_off
            )
            kept = [edited if s.schedule_id == schedule.schedule_id else s for s in current]
            record.schedules = [_schedule_item(s) for s in kept]

        self._edit(org_id, change)

    def delete_schedule(self, org_id: str, schedule_id: str) -> int:
        """Remove a named schedule, then move its customers back to the default; returns how many were moved.
        Until they are moved, an assignment to a schedule that is gone already counts as the default."""
        from chalicelib.domain.segment_schedules import ScheduleRefused

        def change(record: OrganisationRecord) -> None:
            current = _named_schedules(record)
            if schedule_id not in {s.schedule_id for s in current}:
                raise ScheduleRefused("not_found")
            record.schedules = [_schedule_item(s) for s in current if s.schedule_id != schedule_id]

        self._edit(org_id, change)
        return segment_schedules.unassign_all(org_id, schedule_id)

    def assign_schedule(self, org_id: str, connection_id: str, customer_id: str, schedule_id: str | None) -> None:
        """The customer follows this named schedule (None: the default). ScheduleRefused if it is not one of ours."""
        from chalicelib.domain.segment_schedules import ScheduleRefused

        if schedule_id and schedule_id not in {s.schedule_id for s in _named_schedules(self._get(org_id))}:
            raise ScheduleRefused("not_found")
        segment_schedules.assign(org_id, connection_id, customer_id, schedule_id)

    def set_whatsapp(
        self,
        org_id: str,
        number: VerifiedWhatsAppNumber,
        *,
        token: str,
        quality_rating: str | None = None,
        messaging_limit_tier: str | None = None,
        throughput_level: str | None = None,
    ) -> None:
        """Store a number Meta confirmed `token` manages (`chalicelib.ports.WhatsAppAccountCheck`) and route its
        webhooks to this organisation. The quality rating and messaging limit Meta gave are stored with it (None keeps
        what is known about the same number; a new number starts from what is given).

        One transaction writes the number's route and the business account's route (both marked proven), removes the
        organisation's routes for the number and business account it used before, and writes the profile
        (conditional on the version read). If the profile cannot be written, nothing is claimed.

        The number is refused (`NumberTaken`) only when another organisation has proven it. A claim nobody proved
        (saved before numbers were checked, or seeded) gives way: the proven owner takes the number over.
        """
        if not token:
            raise ValueError("a verified number is stored with the token Meta accepted for it")
        ciphertext = self._cipher.encrypt(token.encode(), self._context(org_id))
        phone_key = f"WAPHONE#{number.phone_number_id}"
        for _ in range(3):
            now = self._clock.now()
            record = self._get(org_id)
            current = _route(phone_key, "ROUTE")
            taking_over = current is not None and current.org_id != org_id
            if current is not None and taking_over and current.proven_at is not None:
                raise NumberTaken("this WhatsApp number is already used by another organisation")
            old_number, old_waba = record.wa_phone_number_id, record.wa_business_account_id
            moved = bool(old_number) and old_number != number.phone_number_id
            old_route = _route(f"WAPHONE#{old_number}", "ROUTE") if moved else None
            release = old_route is not None and old_route.org_id == org_id  # never another organisation's route
            record.wa_phone_number_id = number.phone_number_id
            record.wa_business_account_id = number.business_account_id
            record.wa_token_ciphertext = ciphertext
            record.wa_verified_at = now
            record.wa_display_phone_number = number.display_phone_number or None
            record.wa_verified_name = number.verified_name or None
            health = (quality_rating, messaging_limit_tier, throughput_level)
            _set_health(record, *health, same_number=old_number == number.phone_number_id)
            try:
                with TransactWrite(connection=shared_connection()) as tx:
                    tx.save(
                        RouteRecord(phone_key, "ROUTE", org_id=org_id, created_at=now, proven_at=now),
                        condition=(
                            RouteRecord.pk.does_not_exist()
                            | (RouteRecord.org_id == org_id)
                            | RouteRecord.proven_at.does_not_exist()
                        ),
                    )
                    tx.save(
                        RouteRecord(
                            f"WABA#{number.business_account_id}",
                            f"ROUTE#{org_id}",
                            org_id=org_id,
                            created_at=now,
                            proven_at=now,
                        )
                    )
                    if release:
                        tx.delete(RouteRecord(f"WAPHONE#{old_number}", "ROUTE"), condition=RouteRecord.org_id == org_id)
                    if old_waba and old_waba != number.business_account_id:
                        tx.delete(RouteRecord(f"WABA#{old_waba}", f"ROUTE#{org_id}"))
                    tx.save(record)  # conditional on the version read above
            except TransactWriteError as exc:
                if exc.cause_response_code != "TransactionCanceledException":
                    raise
                claim = exc.cancellation_reasons[0] if exc.cancellation_reasons else None
                if claim is not None and claim.code == "ConditionalCheckFailed":
                    raise NumberTaken("this WhatsApp number is already used by another organisation") from None
                continue  # the profile or an old route changed since it was read: read them again
            # The owner reconnected: sending may be tried again (storage/whatsapp_alerts.py).
            clear_account_block(org_id)
            if taking_over:
                logger.warning("a proven owner took over a WhatsApp number another organisation claimed unproven")
                count("WhatsAppNumberTakenOver")
            return
        raise LunasError("the settings kept changing; try again")

    def remove_whatsapp(self, org_id: str) -> None:
        """Forget the number and its token (`chalicelib.ports.WhatsAppNumberRemoval`), and the routes that send its
        webhooks here, in one transaction (a route is deleted only while it still names this organisation)."""
        for _ in range(3):
            record = self._get(org_id)
            number, waba = record.wa_phone_number_id, record.wa_business_account_id
            for name in _WHATSAPP_FIELDS:
                setattr(record, name, None)
            try:
                with TransactWrite(connection=shared_connection()) as tx:
                    if number and (route := _route(f"WAPHONE#{number}", "ROUTE")) and route.org_id == org_id:
                        tx.delete(RouteRecord(f"WAPHONE#{number}", "ROUTE"), condition=RouteRecord.org_id == org_id)
                    if waba:
                        tx.delete(RouteRecord(f"WABA#{waba}", f"ROUTE#{org_id}"))
                    tx.save(record)  # conditional on the version read above
            except TransactWriteError as exc:
                if exc.cause_response_code != "TransactionCanceledException":
                    raise
                continue  # the profile or the route changed since it was read: read them again
            return
        raise LunasError("the settings kept changing; try again")

    def whatsapp_summary(self, org_id: str) -> WhatsAppSummary:
        record = OrganisationRecord.get(org_pk(org_id), "PROFILE")
        return WhatsAppSummary(
            phone_number_id=record.wa_phone_number_id or "",
            business_account_id=record.wa_business_account_id or "",
            has_token=record.wa_token_ciphertext is not None,
            verified=record.wa_verified_at is not None,
            display_phone_number=record.wa_display_phone_number or "",
            verified_name=record.wa_verified_name or "",
            quality_rating=record.wa_quality_rating or "",
            messaging_limit_tier=record.wa_messaging_limit_tier or "",
            account_status=record.wa_account_status or "",
        )

    def update_whatsapp_health(self, org_id: str, update: NumberHealthUpdate) -> bool:
        """Apply what Meta's webhook said about the organisation's number (`chalicelib.ports.WhatsAppNumbers`): only
        when it is about the stored business account (and, when it names one, the stored display number)."""
        applied = False

        def change(record: OrganisationRecord) -> None:
            nonlocal applied
            applied = health_applies(record.wa_business_account_id, record.wa_display_phone_number, update)
            if applied:
                apply_health(record, update, self._clock.now())

        self._edit(org_id, change)
        return applied

    @staticmethod
    def _edit(org_id: str, change: Callable[[OrganisationRecord], None]) -> None:
        edit_versioned(
            lambda: OrganisationRecord.get(org_pk(org_id), "PROFILE"),
            change,
            gave_up=LunasError("the settings kept changing; try again"),
            attempts=3,
        )

    def _get(self, org_id: str) -> OrganisationRecord:
        try:
            return OrganisationRecord.get(org_pk(org_id), "PROFILE")
        except OrganisationRecord.DoesNotExist as exc:
            raise NotFound(f"organisation {org_id} not found") from exc

    @staticmethod
    def _context(org_id: str) -> dict[str, str]:
        return {"org_id": org_id, "item": "whatsapp_token"}


def health_applies(
    business_account_id: str | None, display_phone_number: str | None, update: NumberHealthUpdate
) -> bool:
    """Is a webhook's health update about this stored number? Display numbers are compared by their digits."""
    if not business_account_id or business_account_id != update.business_account_id:
        return False
    if not update.display_phone_number or not display_phone_number:
        return True
    return re.sub(r"\D", "", display_phone_number) == re.sub(r"\D", "", update.display_phone_number)


def apply_health(record: OrganisationRecord, update: NumberHealthUpdate, at: dt.datetime) -> None:
    if update.quality_rating is not None:
        record.wa_quality_rating = update.quality_rating
    if update.messaging_limit_tier is not None:
        record.wa_messaging_limit_tier = update.messaging_limit_tier
    if update.throughput_level is not None:
        record.wa_throughput_level = update.throughput_level
    if update.account_status is not None:
        record.wa_account_status = update.account_status or None
    record.wa_health_at = at


def _set_health(
    record: OrganisationRecord,
    quality_rating: str | None,
    messaging_limit_tier: str | None,
    throughput_level: str | None,
    *,
    same_number: bool,
) -> None:
    if quality_rating is not None or not same_number:
        record.wa_quality_rating = quality_rating
    if messaging_limit_tier is not None or not same_number:
        record.wa_messaging_limit_tier = messaging_limit_tier
    if throughput_level is not None or not same_number:
        record.wa_throughput_level = throughput_level
    if not same_number:
        record.wa_account_status = None


class AlreadyMember(LunasError):
    """The user already belongs to an organisation."""


class DynamoMemberships:
    def add(self, membership: Membership, at: dt.datetime) -> None:
        record = MembershipRecord(
            f"USER#{membership.user_sub}",
            "MEMBERSHIP",
            org_id=membership.org_id,
            role=membership.role,
            email=membership.email,
            created_at=at,
        )
        try:
            record.save(condition=MembershipRecord.pk.does_not_exist())
        except PutError as exc:
            if conditional_failed(exc):
                raise AlreadyMember("this user already belongs to an organisation") from exc
            raise

    def for_user(self, user_sub: str) -> Membership | None:
        try:
            record = MembershipRecord.get(f"USER#{user_sub}", "MEMBERSHIP")
        except MembershipRecord.DoesNotExist:
            return None
        return Membership(
            user_sub=user_sub,
            org_id=record.org_id,
            role=record.role,
            email=record.email,
            signed_out_at=float(record.signed_out_at) if record.signed_out_at is not None else None,
        )

    def mark_signed_out(self, user_sub: str, issued_at: int) -> None:
        """ID tokens issued at or before `issued_at` (epoch seconds) are refused from now on."""
        MembershipRecord(f"USER#{user_sub}", "MEMBERSHIP").update(
            actions=[MembershipRecord.signed_out_at.set(issued_at)],
            condition=MembershipRecord.pk.exists(),
        )


class NumberTaken(WhatsAppNumberTaken):
    """The WhatsApp number is already connected to another Lunas organisation."""


def minimum_amounts_text(amounts: tuple[Money, ...]) -> str:
    return ", ".join(f"{m.currency} {m.amount}" for m in amounts)
