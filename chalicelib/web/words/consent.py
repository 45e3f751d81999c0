"""Consent the customer owns: history and who changed it (chalicelib/domain/consent_rules.py)."""

from __future__ import annotations

EN: dict[str, str] = {
    "consent_history": "Consent history",
    "consent_history_when": "When",
    "consent_history_change": "Change",
    "consent_history_how": "How",
    "consent_history_who": "Recorded by",
    "consent_evidence_dated": "evidence from {when}",
    "consent_by_unknown": "not recorded (before Lunas kept it)",
    "consent_source_whatsapp_reply": "The customer replied on WhatsApp",
    "consent_source_whatsapp_button": "The customer pressed a button in a reminder",
    "consent_source_user_preferences": "The customer changed their WhatsApp settings",
    "consent_source_signed_form": "Signed form",
    "consent_source_whatsapp_chat": "Told you in a WhatsApp chat",
    "consent_source_web_form": "Web form",
    "consent_source_in_person": "In person",
    "consent_source_email": "E-mail",
    "consent_source_phone_call": "Phone call",
    "consent_source_dashboard": "Recorded in the dashboard",
    "consent_source_cli": "Recorded by a Lunas operator",
    "consent_source_other": "Other",
    "consent_restart_hint": (
        "If this customer said STOP themselves, only they can start reminders again by replying START, or you "
        "can record it here: give the date they asked you, and tick the box."
    ),
    "consent_evidence_at": "When the customer asked (date and time)",
    "consent_customer_asked_again": "The customer asked me to start again after they said STOP",
    "consent_customer_stopped": (
        'Not recorded: this customer said STOP themselves on {when}. Tick "The customer asked me to start again '
        'after they said STOP" only if they really did, or ask them to reply START.'
    ),
    "consent_evidence_not_after_stop": (
        "Not recorded: this customer said STOP themselves on {when}. Give the date and time they asked you to "
        "start again; it must be after {when}."
    ),
    "consent_evidence_in_future": "Not recorded: the date the customer asked you is in the future.",
    "consent_evidence_at_invalid": "Not recorded: the date the customer asked you is not a date and time.",
}

ID: dict[str, str] = {
    "consent_history": "Riwayat persetujuan",
    "consent_history_when": "Waktu",
    "consent_history_change": "Perubahan",
    "consent_history_how": "Cara",
    "consent_history_who": "Dicatat oleh",
    "consent_evidence_dated": "bukti dari {when}",
    "consent_by_unknown": "tidak tercatat (sebelum Lunas mencatatnya)",
    "consent_source_whatsapp_reply": "Pelanggan membalas di WhatsApp",
    "consent_source_whatsapp_button": "Pelanggan menekan tombol di pengingat",
    "consent_source_user_preferences": "Pelanggan mengubah pengaturan WhatsApp-nya",
    "consent_source_signed_form": "Formulir bertanda tangan",
    "consent_source_whatsapp_chat": "Disampaikan lewat chat WhatsApp",
    "consent_source_web_form": "Formulir web",
    "consent_source_in_person": "Langsung",
    "consent_source_email": "E-mail",
    "consent_source_phone_call": "Telepon",
    "consent_source_dashboard": "Dicatat di dasbor",
    "consent_source_cli": "Dicatat oleh operator Lunas",
    "consent_source_other": "Lainnya",
    "consent_restart_hint": (
        "Jika pelanggan ini sendiri yang membalas STOP, hanya ia yang bisa memulai lagi dengan membalas MULAI, "
        "atau Anda mencatatnya di sini: isi tanggal ia meminta, lalu centang kotaknya."
    ),
    "consent_evidence_at": "Kapan pelanggan meminta (tanggal dan jam)",
    "consent_customer_asked_again": "Pelanggan meminta saya memulai lagi setelah ia membalas STOP",
    "consent_customer_stopped": (
        'Tidak dicatat: pelanggan ini sendiri membalas STOP pada {when}. Centang "Pelanggan meminta saya '
        'memulai lagi setelah ia membalas STOP" hanya jika ia benar-benar meminta, atau minta ia membalas MULAI.'
    ),
    "consent_evidence_not_after_stop": (
        "Tidak dicatat: pelanggan ini sendiri membalas STOP pada {when}. Isi tanggal dan jam ia meminta Anda "
        "memulai lagi; harus setelah {when}."
    ),
    "consent_evidence_in_future": "Tidak dicatat: tanggal pelanggan meminta ada di masa depan.",
    "consent_evidence_at_invalid": "Tidak dicatat: tanggal pelanggan meminta bukan tanggal dan jam yang benar.",
}
