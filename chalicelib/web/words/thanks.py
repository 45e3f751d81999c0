"""Thank-you messages for paid invoices: the Settings switch, the template's name, and what happened to each one
(notes next to the paid invoice; chalicelib/domain/thanks.py, docs/dashboard.md "Notifications")."""

from __future__ import annotations

EN: dict[str, str] = {
    "thanks_setting": "Thank-you messages",
    "thanks_setting_on": "Thank customers on WhatsApp when they pay an invoice Lunas reminded them about",
    "thanks_setting_hint": (
        "One short message per invoice, only when Xero or QuickBooks shows it paid (never for a voided or deleted "
        "invoice), only to customers who agreed to WhatsApp messages, and only in your sending hours. It names "
        "the invoice number and the amount. Off by default."
    ),
    "thanks_setting_save": "Save",
    "tpl_name_payment_thanks": "Thank-you after payment",
    "note_thanks_sent": "Paid in {system}. Lunas thanked the customer on WhatsApp ({sent_at}).",
    "note_thanks_no_phone": (
        "Paid in {system}. No thank-you was sent: the customer has no mobile number. Add one in {system} for next time."
    ),
    "note_thanks_no_consent": (
        "Paid in {system}. No thank-you was sent: the customer has not agreed to WhatsApp messages. Record their "
        "consent on the Customers page."
    ),
    "note_thanks_opted_out": (
        "Paid in {system}. No thank-you was sent: the customer asked Lunas to stop messaging them."
    ),
    "note_thanks_erased": (
        "Paid in {system}. No thank-you was sent: this customer's data was erased at their request."
    ),
    "note_thanks_outside_window": "Paid in {system}. The thank-you goes out in your next sending hours.",
    "note_thanks_template_not_approved": (
        "Paid in {system}. The thank-you waits for Meta to approve its message (see WhatsApp message templates "
        "on the Overview)."
    ),
    "note_thanks_send_failed": "Paid in {system}. WhatsApp refused the thank-you; Lunas does not try again.",
    "note_thanks_retry": (
        "Paid in {system}. WhatsApp could not take the thank-you just now; Lunas tries again at the next check."
    ),
    "note_thanks_unconfirmed": (
        "Paid in {system}. Lunas could not confirm that WhatsApp took the thank-you, so it is not sent again."
    ),
    "note_thanks_too_late": (
        "Paid in {system}. No thank-you was sent: it could not go out within 3 days of the payment."
    ),
}

ID: dict[str, str] = {
    "thanks_setting": "Pesan terima kasih",
    "thanks_setting_on": (
        "Kirim ucapan terima kasih lewat WhatsApp saat pelanggan membayar tagihan yang sudah diingatkan Lunas"
    ),
    "thanks_setting_hint": (
        "Satu pesan singkat per tagihan, hanya jika Xero atau QuickBooks mencatatnya lunas (tidak pernah untuk "
        "tagihan yang dibatalkan atau dihapus), hanya untuk pelanggan yang setuju menerima pesan WhatsApp, dan "
        "hanya pada jam kirim Anda. Pesan menyebut nomor tagihan dan jumlahnya. Mati secara bawaan."
    ),
    "thanks_setting_save": "Simpan",
    "tpl_name_payment_thanks": "Ucapan terima kasih setelah pembayaran",
    "note_thanks_sent": "Lunas di {system}. Lunas sudah mengucapkan terima kasih lewat WhatsApp ({sent_at}).",
    "note_thanks_no_phone": (
        "Lunas di {system}. Ucapan terima kasih tidak dikirim: pelanggan tidak punya nomor ponsel. Tambahkan di "
        "{system} untuk lain kali."
    ),
    "note_thanks_no_consent": (
        "Lunas di {system}. Ucapan terima kasih tidak dikirim: pelanggan belum setuju menerima pesan WhatsApp. "
        "Catat persetujuannya di halaman Pelanggan."
    ),
    "note_thanks_opted_out": (
        "Lunas di {system}. Ucapan terima kasih tidak dikirim: pelanggan meminta Lunas berhenti mengirim pesan."
    ),
    "note_thanks_erased": (
        "Lunas di {system}. Ucapan terima kasih tidak dikirim: data pelanggan ini sudah dihapus atas permintaannya."
    ),
    "note_thanks_outside_window": "Lunas di {system}. Ucapan terima kasih dikirim pada jam kirim Anda berikutnya.",
    "note_thanks_template_not_approved": (
        "Lunas di {system}. Ucapan terima kasih menunggu persetujuan Meta untuk pesannya (lihat Template pesan "
        "WhatsApp di Ringkasan)."
    ),
    "note_thanks_send_failed": (
        "Lunas di {system}. WhatsApp menolak ucapan terima kasih; Lunas tidak mencobanya lagi."
    ),
    "note_thanks_retry": (
        "Lunas di {system}. WhatsApp belum bisa menerima ucapan terima kasih; Lunas mencoba lagi pada pengecekan "
        "berikutnya."
    ),
    "note_thanks_unconfirmed": (
        "Lunas di {system}. Lunas tidak bisa memastikan WhatsApp menerima ucapan terima kasih, jadi tidak dikirim lagi."
    ),
    "note_thanks_too_late": (
        "Lunas di {system}. Ucapan terima kasih tidak dikirim: tidak bisa terkirim dalam 3 hari setelah pembayaran."
    ),
}
