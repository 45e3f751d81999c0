"""A decision's specifics next to each invoice (chalicelib/domain/notes.py): what happened, in the owner's language.

Values are formatted by the page before they reach these words (chalicelib/web/render.py `note_words`).
"""

from __future__ import annotations

EN: dict[str, str] = {
    "note_voided": "The invoice was voided in your accounting system.",
    "note_nothing_to_pay": "Nothing is left to pay on this invoice.",
    "note_closed_paid": "Marked paid in {system}; reminders still planned for it were cancelled.",
    "note_closed_voided": "Voided in {system}; reminders still planned for it were cancelled.",
    "note_paid_at_recheck": "Found paid on the last check right before sending, so nothing was sent.",
    "note_invoice_paused": "You paused the reminders for this invoice.",
    "note_customer_paused": "You paused the reminders for this customer.",
    "note_said_paid_page": (
        'The customer pressed "I have paid" on the payment page on {said_at}. Reminders for this invoice wait '
        "until {until_at} while you check the payment."
    ),
    "note_said_paid_whatsapp": (
        'The customer tapped "I have paid" on the WhatsApp reminder on {said_at}. Reminders for this invoice wait '
        "until {until_at} while you check the payment."
    ),
    "note_promised": (
        "The customer promised to pay by {date} (their WhatsApp reply of {reply_date}). Reminders wait until then."
    ),
    "note_below_minimum": "{amount} is below your minimum of {minimum} for reminders.",
    "note_no_stages": "No reminder step is switched on in your schedule.",
    "note_first_reminder": "The first reminder goes on {date}.",
    "note_ledger_sent": "The reminder {stage} was already sent.",
    "note_ledger_claimed": (
        "The reminder {stage} was started but WhatsApp never confirmed it. Lunas does not send it again, so the "
        "customer never gets it twice."
    ),
    "note_ledger_failed": "WhatsApp refused the reminder {stage} earlier; Lunas does not try that step again.",
    "note_erased": "This customer's data was erased at their request. Lunas never messages this number again.",
    "note_opted_out": "The customer stopped reminders on {date} ({source}).",
    "note_outside_window": "Outside your sending hours ({start}–{end}). It goes out in the next sending hours.",
    "note_changed_at_recheck": (
        "The amount or due date changed right before sending. Lunas checks it again in the next run."
    ),
    "note_other_changed_at_recheck": (
        "Another invoice in the same message changed right before sending. Lunas checks them again in the next run."
    ),
    "note_audit_signed_in": "Signed in to the dashboard.",
    "note_audit_connected": "Connected {names}.",
    "note_audit_disconnected": "Disconnected {names}; its access was revoked.",
    "note_audit_disconnected_unconfirmed": (
        "Disconnected {names}; the accounting system did not confirm the access was revoked."
    ),
    "note_audit_sync_sweep": "Read every open invoice from {system}: {open} open.",
    "note_audit_sync_changes": (
        "Read the changes from {system}: {changed} invoices changed ({closed} closed), {customers} customers "
        "changed, {open} open."
    ),
    "note_audit_cycle": "Reminders for {name}: {sent} sent.",
    "note_audit_cycle_skipped": "Reminders for {name}: {sent} sent. Not sent: {counts}.",
    "note_audit_cycle_problem": "Reminders for {name}: {summary}",
    "note_audit_consent_opted_in": "Consent recorded for {phone}: {source}.",
    "note_audit_consent_opted_out": "Reminders stopped for {phone}: {source}.",
    "note_audit_schedule_added": "Added a reminder schedule for a group of customers.",
    "note_audit_schedule_changed": "Changed a reminder schedule for a group of customers.",
    "note_audit_schedule_deleted": (
        "Deleted a reminder schedule; customers moved back to the default schedule: {moved}."
    ),
    "note_audit_default_schedule_changed": "Changed the reminder schedule.",
    "note_audit_digest_on": "Switched the daily summary e-mail on.",
    "note_audit_digest_off": "Switched the daily summary e-mail off.",
    "note_audit_thanks_on": "Switched thank-you messages for paid invoices on.",
    "note_audit_thanks_off": "Switched thank-you messages for paid invoices off.",
    "note_audit_payments_changed": "Changed the payment instructions.",
    "note_audit_qris_uploaded": "Uploaded a QRIS image.",
    "note_audit_qris_removed": "Removed the QRIS image.",
    "note_audit_wa_connected": "Connected the WhatsApp number {number}.",
    "note_audit_wa_saved_by_hand": "Saved the WhatsApp number (entered by hand).",
    "note_audit_wa_removed": (
        "Removed the WhatsApp number: its access token was deleted and Meta stopped sending its updates."
    ),
    "note_audit_wa_removed_shared": (
        "Removed the WhatsApp number: its access token was deleted; Meta's updates continue for another "
        "organisation using the same account."
    ),
    "note_audit_wa_removed_unconfirmed": (
        "Removed the WhatsApp number: its access token was deleted; Meta did not confirm it stopped sending updates."
    ),
    "note_audit_org_exported": "Downloaded the organisation's data as {form} ({items} items).",
    "note_audit_person_exported": "Exported the data held about {phone} ({items} items).",
    "note_audit_person_erased": (
        "Erased {phone} at their request ({items} items). Only a code that stops future messages is kept."
    ),
}

ID: dict[str, str] = {
    "note_voided": "Tagihan ini dibatalkan di sistem akuntansi Anda.",
    "note_nothing_to_pay": "Tidak ada lagi yang perlu dibayar untuk tagihan ini.",
    "note_closed_paid": "Ditandai lunas di {system}; pengingat yang masih direncanakan untuknya dibatalkan.",
    "note_closed_voided": "Dibatalkan di {system}; pengingat yang masih direncanakan untuknya dibatalkan.",
    "note_paid_at_recheck": "Ternyata sudah lunas saat diperiksa tepat sebelum dikirim, jadi tidak ada yang dikirim.",
    "note_invoice_paused": "Anda menjeda pengingat untuk tagihan ini.",
    "note_customer_paused": "Anda menjeda pengingat untuk pelanggan ini.",
    "note_said_paid_page": (
        'Pelanggan menekan "Saya sudah membayar" di halaman pembayaran pada {said_at}. Pengingat untuk tagihan ini '
        "menunggu sampai {until_at} selagi Anda memeriksa pembayarannya."
    ),
    "note_said_paid_whatsapp": (
        'Pelanggan menekan "Saya sudah membayar" pada pengingat WhatsApp pada {said_at}. Pengingat untuk tagihan ini '
        "menunggu sampai {until_at} selagi Anda memeriksa pembayarannya."
    ),
    "note_promised": (
        "Pelanggan berjanji membayar paling lambat {date} (balasan WhatsApp mereka tanggal {reply_date}). "
        "Pengingat menunggu sampai tanggal itu."
    ),
    "note_below_minimum": "{amount} di bawah batas minimum pengingat Anda, yaitu {minimum}.",
    "note_no_stages": "Belum ada langkah pengingat yang aktif di jadwal Anda.",
    "note_first_reminder": "Pengingat pertama dikirim pada {date}.",
    "note_ledger_sent": "Pengingat {stage} sudah terkirim.",
    "note_ledger_claimed": (
        "Pengingat {stage} sudah mulai dikirim tetapi WhatsApp tidak pernah mengonfirmasinya. Lunas tidak "
        "mengirimnya lagi, agar pelanggan tidak menerimanya dua kali."
    ),
    "note_ledger_failed": "WhatsApp menolak pengingat {stage} sebelumnya; Lunas tidak mencoba langkah itu lagi.",
    "note_erased": "Data pelanggan ini dihapus atas permintaannya. Lunas tidak akan mengirim pesan ke nomor ini lagi.",
    "note_opted_out": "Pelanggan menghentikan pengingat pada {date} ({source}).",
    "note_outside_window": "Di luar jam kirim Anda ({start}–{end}). Dikirim pada jam kirim berikutnya.",
    "note_changed_at_recheck": (
        "Jumlah atau tanggal jatuh tempo berubah tepat sebelum dikirim. Lunas memeriksanya lagi pada proses berikutnya."
    ),
    "note_other_changed_at_recheck": (
        "Tagihan lain dalam pesan yang sama berubah tepat sebelum dikirim. Lunas memeriksanya lagi pada proses "
        "berikutnya."
    ),
    "note_audit_signed_in": "Masuk ke dasbor.",
    "note_audit_connected": "Menghubungkan {names}.",
    "note_audit_disconnected": "Memutus koneksi {names}; aksesnya sudah dicabut.",
    "note_audit_disconnected_unconfirmed": (
        "Memutus koneksi {names}; sistem akuntansi tidak mengonfirmasi pencabutan aksesnya."
    ),
    "note_audit_sync_sweep": "Membaca semua tagihan terbuka dari {system}: {open} terbuka.",
    "note_audit_sync_changes": (
        "Membaca perubahan dari {system}: {changed} tagihan berubah ({closed} ditutup), {customers} pelanggan"
        " berubah, {open} terbuka."
    ),
    "note_audit_cycle": "Pengingat untuk {name}: {sent} terkirim.",
    "note_audit_cycle_skipped": "Pengingat untuk {name}: {sent} terkirim. Tidak dikirim: {counts}.",
    "note_audit_cycle_problem": "Pengingat untuk {name}: {summary}",
    "note_audit_consent_opted_in": "Persetujuan dicatat untuk {phone}: {source}.",
    "note_audit_consent_opted_out": "Pengingat dihentikan untuk {phone}: {source}.",
    "note_audit_schedule_added": "Menambahkan jadwal pengingat untuk sekelompok pelanggan.",
    "note_audit_schedule_changed": "Mengubah jadwal pengingat untuk sekelompok pelanggan.",
    "note_audit_schedule_deleted": "Menghapus jadwal pengingat; pelanggan yang kembali ke jadwal utama: {moved}.",
    "note_audit_default_schedule_changed": "Mengubah jadwal pengingat.",
    "note_audit_digest_on": "Menyalakan e-mail ringkasan harian.",
    "note_audit_digest_off": "Mematikan e-mail ringkasan harian.",
    "note_audit_thanks_on": "Menyalakan pesan terima kasih untuk tagihan yang dibayar.",
    "note_audit_thanks_off": "Mematikan pesan terima kasih untuk tagihan yang dibayar.",
    "note_audit_payments_changed": "Mengubah cara pembayaran.",
    "note_audit_qris_uploaded": "Mengunggah gambar QRIS.",
    "note_audit_qris_removed": "Menghapus gambar QRIS.",
    "note_audit_wa_connected": "Menghubungkan nomor WhatsApp {number}.",
    "note_audit_wa_saved_by_hand": "Menyimpan nomor WhatsApp (diisi manual).",
    "note_audit_wa_removed": "Menghapus nomor WhatsApp: token aksesnya dihapus dan Meta berhenti mengirim kabarnya.",
    "note_audit_wa_removed_shared": (
        "Menghapus nomor WhatsApp: token aksesnya dihapus; kabar dari Meta tetap berjalan untuk organisasi "
        "lain yang memakai akun yang sama."
    ),
    "note_audit_wa_removed_unconfirmed": (
        "Menghapus nomor WhatsApp: token aksesnya dihapus; Meta tidak mengonfirmasi bahwa kabarnya berhenti."
    ),
    "note_audit_org_exported": "Mengunduh data organisasi sebagai {form} ({items} item).",
    "note_audit_person_exported": "Mengekspor data yang disimpan tentang {phone} ({items} item).",
    "note_audit_person_erased": (
        "Menghapus {phone} atas permintaannya ({items} item). Hanya kode yang mencegah pesan berikutnya yang disimpan."
    ),
}
