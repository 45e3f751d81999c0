"""Notifications: duplicate chasing, the daily summary (docs/dashboard.md "Notifications")."""

from __future__ import annotations

EN: dict[str, str] = {
    "digest_subject": "Lunas daily summary for {business}",
    "digest_hello": "Good morning, {business}. Here is what Lunas did for you.",
    "digest_yesterday": "Yesterday ({day}):",
    "digest_sent": "Reminders sent: {count}",
    "digest_delivered": "Delivered: {count}",
    "digest_read": "Read: {count}",
    "digest_failed": "Failed: {count}",
    "digest_replies": "Customer replies waiting for you: {count}",
    "digest_open": "Open Lunas: {url}",
    "digest_open_link": "Open Lunas",
    "digest_why": ("You get this e-mail every morning at 8. Switch it off in Lunas: Settings → Daily summary e-mail."),
    "digest_setting": "Daily summary e-mail",
    "digest_setting_on": ("E-mail me a summary every morning at 8 (yesterday's reminders and what needs attention)"),
    "digest_setting_to": "It goes to {email}.",
    "digest_setting_save": "Save",
    "attention_own_reminders": (
        "Xero is also sending its own payment reminders for {name}: switch them off in Xero (Business settings → "
        "Invoice reminders) so customers are not chased twice."
    ),
}

ID: dict[str, str] = {
    "digest_subject": "Ringkasan harian Lunas untuk {business}",
    "digest_hello": "Selamat pagi, {business}. Ini yang dikerjakan Lunas untuk Anda.",
    "digest_yesterday": "Kemarin ({day}):",
    "digest_sent": "Pengingat terkirim: {count}",
    "digest_delivered": "Sampai: {count}",
    "digest_read": "Dibaca: {count}",
    "digest_failed": "Gagal: {count}",
    "digest_replies": "Balasan pelanggan yang menunggu Anda: {count}",
    "digest_open": "Buka Lunas: {url}",
    "digest_open_link": "Buka Lunas",
    "digest_why": (
        "Anda menerima e-mail ini setiap pagi pukul 8. Matikan di Lunas: Pengaturan → E-mail ringkasan harian."
    ),
    "digest_setting": "E-mail ringkasan harian",
    "digest_setting_on": ("Kirimi saya ringkasan setiap pagi pukul 8 (pengingat kemarin dan yang perlu ditangani)"),
    "digest_setting_to": "Dikirim ke {email}.",
    "digest_setting_save": "Simpan",
    "attention_own_reminders": (
        "Xero juga mengirim pengingat pembayarannya sendiri untuk {name}: matikan di Xero (Business settings → "
        "Invoice reminders) agar pelanggan tidak ditagih dua kali."
    ),
}
