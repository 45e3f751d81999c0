"""A skipped reminder's specifics read in the owner's language: every note has words in English and Bahasa Indonesia,
and the page formats its dates, money, sources and stages in that language (chalicelib/domain/notes.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from chalicelib.domain.notes import NOTE_KEYS, Note, note
from chalicelib.web import i18n
from chalicelib.web.render import note_words

_FIELD = re.compile(r"\{([a-z_]+)\}")


@pytest.mark.parametrize("key", sorted(NOTE_KEYS))
def test_every_note_has_words_in_both_languages(key: str) -> None:
    english, indonesian = i18n._EN.get(f"note_{key}"), i18n._ID.get(f"note_{key}")
    assert english and indonesian, key
    assert set(_FIELD.findall(english)) == set(_FIELD.findall(indonesian)), key


def test_a_note_without_words_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="no words for the note"):
        note("no_such_note")


def test_a_note_survives_storage_and_a_damaged_one_falls_back_to_the_detail() -> None:
    stored = note("below_minimum", amount="20000.00 IDR", minimum="50000 IDR")
    assert Note.from_json(stored.to_json()) == stored
    assert Note.from_json("{not json") is None and Note.from_json(None) is None
    assert note_words(None, "customer paused", "en", "Asia/Jakarta") == "customer paused"
    assert note_words(None, "customer paused", "id", "Asia/Jakarta") == ""  # never English on an Indonesian page


@pytest.mark.parametrize(
    ("made", "english", "indonesian"),
    [
        (
            note("below_minimum", amount="20000.00 IDR", minimum="50000 IDR"),
            "IDR 20,000 is below your minimum of IDR 50,000 for reminders.",
            "Rp 20.000 di bawah batas minimum pengingat Anda, yaitu Rp 50.000.",
        ),
        (
            note("opted_out", source="whatsapp_reply", date="2026-11-03"),
            "The customer stopped reminders on 3 Nov 2026 (",
            "Pelanggan menghentikan pengingat pada 3 Nov 2026 (",
        ),
        (
            note(
                "said_paid_whatsapp",
                said_at=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC).isoformat(),
                until_at=dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC).isoformat(),
            ),
            'tapped "I have paid" on the WhatsApp reminder on 1 Dec 2026 10:00. Reminders for this invoice wait until '
            "4 Dec 2026 10:00",
            'menekan "Saya sudah membayar" pada pengingat WhatsApp pada 1 Des 2026 10:00. Pengingat untuk tagihan ini '
            "menunggu sampai 4 Des 2026 10:00",
        ),
        (note("ledger_sent", stage="d+7"), "The reminder 7 days after", "Pengingat 7 hari setelah"),
        (note("first_reminder", date="2026-12-09"), "The first reminder goes on 9 Dec 2026.", "pada 9 Des 2026."),
    ],
)
def test_a_note_reads_in_the_owners_language_with_local_dates_and_money(
    made: Note, english: str, indonesian: str
) -> None:
    said_en = note_words(made, "English detail", "en", "Asia/Jakarta")
    said_id = note_words(made, "English detail", "id", "Asia/Jakarta")
    assert english in said_en and indonesian in said_id
    for said in (said_en, said_id):
        assert "{" not in said and "_" not in said and "English detail" not in said
