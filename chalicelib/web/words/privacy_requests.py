"""Privacy requests by phone number and deleting the organisation: docs/privacy.md."""

from __future__ import annotations

EN: dict[str, str] = {
    "privacy_title": "Privacy requests",
    "privacy_hint": (
        "A customer may ask what you hold about their WhatsApp number, for a copy, or to be erased. Type the "
        "number they gave: Lunas shows everything it holds about it."
    ),
    "privacy_settings_hint": "A customer asks what you hold about them, for a copy, or to be erased:",
    "privacy_open": "Open privacy requests",
    "privacy_find": "Show what is held",
    "privacy_held": "What Lunas holds about {phone}",
    "privacy_kind": "What",
    "privacy_count": "Items",
    "privacy_nothing": "Lunas holds nothing about this number.",
    "privacy_blocked": "This number was erased before: Lunas never messages it again.",
    "privacy_download": "Download (JSON)",
    "privacy_erase": "Erase",
    "privacy_erase_hint": (
        "Erasing deletes everything above. Lunas keeps only a one-way code of the number, so this customer is "
        "never messaged again, even if your accounting system still has the number."
    ),
    "privacy_erase_confirm": "Yes, erase everything about {phone} and never message this number again",
    "privacy_confirm_needed": "Tick the box to confirm the erasure; nothing was erased.",
    "privacy_erased": "Erased {count} items about {phone}. This number is never messaged again.",
    "privacy_erased_next": (
        "Also remove the number from the customer in Xero or QuickBooks: the next sync brings the customer back "
        "(Lunas still never messages them)."
    ),
    "privacy_kind_consent": "Consent",
    "privacy_kind_marketing_preference": "Marketing preference",
    "privacy_kind_messages": "Messages sent",
    "privacy_kind_reminders": "Reminders in those messages",
    "privacy_kind_delivery_tracking": "Delivery tracking",
    "privacy_kind_replies": "Replies",
    "privacy_kind_whatsapp_ids": "WhatsApp ids",
    "privacy_kind_phone_flags": "Not on WhatsApp",
    "privacy_kind_phone_pauses": "Paused after a reply",
    "privacy_kind_prompts": "Conversation notes",
    "privacy_kind_customers": "Customer records",
    "privacy_kind_invoices": "Invoices",
    "privacy_kind_invoice_decisions": "Reminder decisions",
    "privacy_kind_payment_claims": '"I have paid" presses',
    "delete_org_title": "Delete organisation",
    "delete_org_hint": (
        "Deletes your organisation for good: Lunas disconnects Xero, QuickBooks and WhatsApp, deletes every "
        "customer, consent, message and setting, and every sign-in of your team. This cannot be undone."
    ),
    "delete_org_type": "To confirm, type your business name exactly: {name}",
    "delete_org_button": "Delete organisation",
    "delete_org_name_mismatch": "The name typed is not your business name exactly; nothing was deleted.",
    "err_owner_only": "Only the organisation's owner can delete it; nothing was deleted.",
    "goodbye_title": "Your organisation is deleted",
    "goodbye_body": (
        "Lunas disconnected your accounting systems and WhatsApp number and deleted your data and your team's "
        "sign-ins. You are signed out. Thank you for using Lunas."
    ),
    "goodbye_accounting": (
        "Your invoices and customers stay in Xero or QuickBooks, and your WhatsApp number stays yours at Meta."
    ),
}

ID: dict[str, str] = {
    "privacy_title": "Permintaan privasi",
    "privacy_hint": (
        "Pelanggan boleh menanyakan data apa yang Anda simpan tentang nomor WhatsApp-nya, meminta salinannya, "
        "atau meminta datanya dihapus. Ketik nomor yang ia berikan: Lunas menampilkan semua yang tersimpan."
    ),
    "privacy_settings_hint": "Pelanggan menanyakan datanya, meminta salinan, atau meminta penghapusan:",
    "privacy_open": "Buka permintaan privasi",
    "privacy_find": "Tampilkan data yang tersimpan",
    "privacy_held": "Data yang disimpan Lunas tentang {phone}",
    "privacy_kind": "Data",
    "privacy_count": "Jumlah",
    "privacy_nothing": "Lunas tidak menyimpan apa pun tentang nomor ini.",
    "privacy_blocked": "Nomor ini pernah dihapus: Lunas tidak akan pernah mengirim pesan ke nomor ini lagi.",
    "privacy_download": "Unduh (JSON)",
    "privacy_erase": "Hapus",
    "privacy_erase_hint": (
        "Menghapus berarti semua data di atas dihapus. Lunas hanya menyimpan kode satu arah dari nomornya, agar "
        "pelanggan ini tidak pernah dikirimi pesan lagi, walaupun nomornya masih ada di sistem akuntansi Anda."
    ),
    "privacy_erase_confirm": "Ya, hapus semua data tentang {phone} dan jangan pernah kirim pesan ke nomor ini lagi",
    "privacy_confirm_needed": "Centang kotaknya untuk mengonfirmasi penghapusan; belum ada yang dihapus.",
    "privacy_erased": "{count} data tentang {phone} sudah dihapus. Nomor ini tidak akan dikirimi pesan lagi.",
    "privacy_erased_next": (
        "Hapus juga nomor ini dari data pelanggan di Xero atau QuickBooks: sinkronisasi berikutnya membawa "
        "pelanggan itu kembali (Lunas tetap tidak mengirim pesan kepadanya)."
    ),
    "privacy_kind_consent": "Persetujuan",
    "privacy_kind_marketing_preference": "Preferensi pemasaran",
    "privacy_kind_messages": "Pesan terkirim",
    "privacy_kind_reminders": "Pengingat dalam pesan itu",
    "privacy_kind_delivery_tracking": "Pelacakan pengiriman",
    "privacy_kind_replies": "Balasan",
    "privacy_kind_whatsapp_ids": "ID WhatsApp",
    "privacy_kind_phone_flags": "Tidak memakai WhatsApp",
    "privacy_kind_phone_pauses": "Dijeda setelah membalas",
    "privacy_kind_prompts": "Catatan percakapan",
    "privacy_kind_customers": "Data pelanggan",
    "privacy_kind_invoices": "Tagihan",
    "privacy_kind_invoice_decisions": "Keputusan pengingat",
    "privacy_kind_payment_claims": 'Tombol "Saya sudah bayar"',
    "delete_org_title": "Hapus organisasi",
    "delete_org_hint": (
        "Menghapus organisasi Anda untuk selamanya: Lunas memutus Xero, QuickBooks dan WhatsApp, menghapus semua "
        "pelanggan, persetujuan, pesan dan pengaturan, serta semua akun masuk tim Anda. Tidak dapat dibatalkan."
    ),
    "delete_org_type": "Untuk konfirmasi, ketik nama usaha Anda persis: {name}",
    "delete_org_button": "Hapus organisasi",
    "delete_org_name_mismatch": ("Nama yang diketik tidak persis sama dengan nama usaha Anda; tidak ada yang dihapus."),
    "err_owner_only": "Hanya pemilik organisasi yang dapat menghapusnya; tidak ada yang dihapus.",
    "goodbye_title": "Organisasi Anda sudah dihapus",
    "goodbye_body": (
        "Lunas sudah memutus sistem akuntansi dan nomor WhatsApp Anda serta menghapus data dan akun masuk tim "
        "Anda. Anda sudah keluar. Terima kasih telah memakai Lunas."
    ),
    "goodbye_accounting": (
        "Tagihan dan pelanggan Anda tetap ada di Xero atau QuickBooks, dan nomor WhatsApp Anda tetap milik Anda "
        "di Meta."
    ),
}
