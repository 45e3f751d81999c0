"""Several reminder schedules, one per group of customers: settings, the customer page, the customers list
(docs/dashboard.md "Schedules for groups of customers")."""

from __future__ import annotations

EN: dict[str, str] = {
    "sched_title": "Schedules for groups of customers",
    "sched_hint": (
        "Every customer follows the schedule above unless you choose another one on their page. Add a gentler "
        "schedule for regular customers or a firmer one for late payers. The send hours, days off, minimum amounts "
        "and message language above apply to every schedule."
    ),
    "sched_default_name": "Default schedule (above)",
    "sched_name": "Name of the schedule",
    "sched_name_example": "e.g. Late payers",
    "sched_customers": "Customers following it: {n}",
    "sched_save": "Save this schedule",
    "sched_delete": "Delete this schedule",
    "sched_delete_hint": (
        "Its customers ({n}) go back to the default schedule. Reminders already sent are not sent again."
    ),
    "sched_delete_confirm": "Yes, delete “{name}”",
    "sched_add": "Add a schedule",
    "sched_add_hint": "It starts as a copy of the default schedule: change the rows, then give it a name.",
    "sched_add_button": "Add the schedule",
    "sched_full": (
        "You have {limit} schedules besides the default, the most Lunas keeps. Delete one, or change an existing "
        "one, to make room."
    ),
    "sched_refused_too_many": (
        "You already have the most schedules Lunas keeps besides the default. Delete one, or change an existing one."
    ),
    "sched_refused_name_missing": "Give the schedule a name, for example “Late payers”.",
    "sched_refused_name_too_long": "Keep the name shorter: at most 60 letters.",
    "sched_refused_name_taken": "Another schedule already has this name. Choose a different one.",
    "sched_refused_not_found": "This schedule no longer exists; it may have been deleted. Reload the page.",
    "flash_sched_added": "Schedule “{name}” added. Choose it on a customer's page to use it.",
    "flash_sched_saved": "Schedule “{name}” saved.",
    "flash_sched_deleted": "Schedule “{name}” deleted. Customers moved back to the default schedule: {n}.",
    "sched_customer_title": "Reminder schedule",
    "sched_customer_follows": "This customer follows",
    "sched_customer_save": "Save the schedule",
    "sched_customer_hint": (
        "From the next run, reminders for this customer's invoices follow this schedule. A reminder already sent is "
        "never sent again; after a change, only the latest reminder reached is sent."
    ),
    "sched_customer_none": "This customer follows your default schedule.",
    "sched_customer_add": "Add schedules for groups of customers in Settings.",
    "sched_list_label": "Schedule",
    "flash_reply_schedule": "Saved: this customer's reminders follow the chosen schedule from the next run.",
}

ID: dict[str, str] = {
    "sched_title": "Jadwal untuk kelompok pelanggan",
    "sched_hint": (
        "Setiap pelanggan mengikuti jadwal di atas, kecuali Anda memilih jadwal lain di halaman pelanggan itu. "
        "Tambahkan jadwal yang lebih lembut untuk pelanggan tetap atau yang lebih tegas untuk yang sering telat "
        "bayar. Jam kirim, hari libur, jumlah minimum, dan bahasa pesan di atas berlaku untuk semua jadwal."
    ),
    "sched_default_name": "Jadwal utama (di atas)",
    "sched_name": "Nama jadwal",
    "sched_name_example": "mis. Telat bayar",
    "sched_customers": "Pelanggan yang mengikutinya: {n}",
    "sched_save": "Simpan jadwal ini",
    "sched_delete": "Hapus jadwal ini",
    "sched_delete_hint": (
        "Pelanggannya ({n}) kembali ke jadwal utama. Pengingat yang sudah terkirim tidak dikirim lagi."
    ),
    "sched_delete_confirm": "Ya, hapus “{name}”",
    "sched_add": "Tambah jadwal",
    "sched_add_hint": "Jadwal baru dimulai sebagai salinan jadwal utama: ubah barisnya, lalu beri nama.",
    "sched_add_button": "Tambahkan jadwal",
    "sched_full": (
        "Anda sudah punya {limit} jadwal selain jadwal utama, jumlah terbanyak yang disimpan Lunas. Hapus satu, "
        "atau ubah jadwal yang ada."
    ),
    "sched_refused_too_many": (
        "Anda sudah punya jumlah jadwal terbanyak yang disimpan Lunas selain jadwal utama. Hapus satu, atau ubah "
        "jadwal yang ada."
    ),
    "sched_refused_name_missing": "Beri nama jadwal ini, misalnya “Telat bayar”.",
    "sched_refused_name_too_long": "Nama terlalu panjang: paling banyak 60 huruf.",
    "sched_refused_name_taken": "Nama ini sudah dipakai jadwal lain. Pilih nama yang berbeda.",
    "sched_refused_not_found": "Jadwal ini sudah tidak ada; mungkin sudah dihapus. Muat ulang halaman.",
    "flash_sched_added": "Jadwal “{name}” ditambahkan. Pilih di halaman pelanggan untuk memakainya.",
    "flash_sched_saved": "Jadwal “{name}” tersimpan.",
    "flash_sched_deleted": "Jadwal “{name}” dihapus. Pelanggan yang kembali ke jadwal utama: {n}.",
    "sched_customer_title": "Jadwal pengingat",
    "sched_customer_follows": "Pelanggan ini mengikuti",
    "sched_customer_save": "Simpan jadwal",
    "sched_customer_hint": (
        "Mulai pengiriman berikutnya, pengingat untuk tagihan pelanggan ini mengikuti jadwal ini. Pengingat yang "
        "sudah terkirim tidak pernah dikirim lagi; setelah perubahan, hanya pengingat terakhir yang sudah tiba "
        "waktunya yang dikirim."
    ),
    "sched_customer_none": "Pelanggan ini mengikuti jadwal utama Anda.",
    "sched_customer_add": "Tambahkan jadwal untuk kelompok pelanggan di Pengaturan.",
    "sched_list_label": "Jadwal",
    "flash_reply_schedule": "Tersimpan: pengingat pelanggan ini mengikuti jadwal pilihan mulai pengiriman berikutnya.",
}
