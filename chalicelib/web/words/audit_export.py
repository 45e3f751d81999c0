"""The audit log ("Activity"), the owner's export, removing the WhatsApp number: docs/privacy.md."""

from __future__ import annotations

EN: dict[str, str] = {
    "notice_row_audit": (
        "The business's activity log: who signed in or changed a setting or a consent, syncs and reminder runs "
        "as counts; phone numbers in it are masked (only the last 3 digits): so the business can see who did what."
    ),
    "notice_from_audit": "from when it happened.",
    "data_activity_title": "Activity and your data",
    "audit_title": "Activity",
    "audit_settings_hint": "Who signed in, connected, changed settings or consent, each sync and reminder run.",
    "audit_hint": (
        "Everything done in this account: by whom (a person's e-mail, or Lunas itself: the scheduler, the "
        "WhatsApp webhook), and when. Phone numbers are masked; syncs and reminder runs show counts only."
    ),
    "audit_kind": "Kind",
    "audit_kind_all": "All",
    "audit_kind_sign_in": "Sign-in",
    "audit_kind_connection": "Connection",
    "audit_kind_sync": "Sync",
    "audit_kind_reminders": "Reminder run",
    "audit_kind_consent": "Consent",
    "audit_kind_settings": "Settings",
    "audit_kind_whatsapp": "WhatsApp number",
    "audit_kind_export": "Export",
    "audit_kind_erasure": "Erasure",
    "audit_kind_deletion": "Account deletion",
    "audit_from": "From",
    "audit_to": "To",
    "audit_filter": "Show",
    "audit_when": "When",
    "audit_who": "Who",
    "audit_what": "What",
    "audit_none": "Nothing recorded for these filters.",
    "audit_more": "Showing the newest {count}. Choose dates to see older entries.",
    "audit_kept": "Entries are kept for {days} days, then deleted by themselves.",
    "export_title": "Export your data",
    "export_settings_hint": "Download customers, consent, messages, replies and the activity log (JSON or CSV).",
    "export_hint": (
        "A copy of this account's data: customers synced from your accounting system, each customer's WhatsApp "
        "consent with its evidence and every change, the reminders sent with their delivery status, customers' "
        "replies, and the activity log. JSON is one file; CSV is a zip of customers.csv, consent.csv, "
        "messages.csv, replies.csv and audit.csv. The file holds customers' phone numbers: keep it safe."
    ),
    "export_what": "What",
    "export_count": "Items",
    "export_kind_customers": "Customers",
    "export_kind_consent": "Consent records (each with its history)",
    "export_kind_messages": "Reminders sent",
    "export_kind_replies": "Replies",
    "export_kind_audit": "Activity log entries",
    "export_total": "{count} items in all. A big export can take a minute to prepare: keep this page open.",
    "export_json": "Download JSON",
    "export_zip": "Download CSV (zip)",
    "export_not_included": (
        "Not included: access tokens (never exported), open invoices (they stay in your accounting system)."
    ),
    "wa_remove_title": "Remove the WhatsApp number",
    "wa_remove_settings_hint": "Stops all reminders and deletes the stored access token.",
    "wa_remove_what": "You are about to remove {number} from Lunas.",
    "wa_remove_stops": "No reminders or replies are sent until you add a number again.",
    "wa_remove_token": "The stored access token is deleted, and Lunas stops receiving this number's webhooks.",
    "wa_remove_history": "The reminders already sent stay in your history.",
    "wa_remove_again": "You can connect a number again in Settings at any time.",
    "wa_remove_tick": "Yes, remove this WhatsApp number",
    "wa_remove_button": "Remove the number",
    "wa_remove_cancel": "Cancel",
    "wa_remove_confirm_needed": "Tick the box to confirm; the number was not removed.",
    "wa_remove_nothing": "No WhatsApp number is connected.",
    "wa_removed": "The WhatsApp number was removed. Reminders are paused until you add a number again.",
    "wa_removed_meta_unconfirmed": (
        "The WhatsApp number was removed from Lunas, but Meta did not confirm that our app stopped receiving its "
        "webhooks; any that still arrive are ignored. Reminders are paused until you add a number again."
    ),
    "cycle_no_whatsapp": "No WhatsApp number connected: add one in Settings and reminders start again.",
    "run_problem_no_whatsapp": "No WhatsApp number is connected, so nothing was sent: add one in Settings.",
    "who_whatsapp_customer": "The customer, on WhatsApp",
    "who_scheduler": "Lunas, on its schedule",
    "who_operator": "A Lunas operator",
}

ID: dict[str, str] = {
    "notice_row_audit": (
        "Catatan aktivitas usaha: siapa yang masuk atau mengubah pengaturan atau persetujuan, sinkronisasi dan "
        "pengiriman pengingat sebagai jumlah; nomor telepon di dalamnya disamarkan (hanya 3 digit terakhir): "
        "agar usaha bisa melihat siapa melakukan apa."
    ),
    "notice_from_audit": "sejak kejadiannya.",
    "data_activity_title": "Aktivitas dan data Anda",
    "audit_title": "Aktivitas",
    "audit_settings_hint": (
        "Siapa yang masuk, menghubungkan, mengubah pengaturan atau persetujuan, setiap sinkronisasi dan "
        "pengiriman pengingat."
    ),
    "audit_hint": (
        "Semua yang dilakukan di akun ini: oleh siapa (e-mail seseorang, atau Lunas sendiri: penjadwal, webhook "
        "WhatsApp), dan kapan. Nomor telepon disamarkan; sinkronisasi dan pengiriman pengingat hanya berupa jumlah."
    ),
    "audit_kind": "Jenis",
    "audit_kind_all": "Semua",
    "audit_kind_sign_in": "Masuk",
    "audit_kind_connection": "Koneksi",
    "audit_kind_sync": "Sinkronisasi",
    "audit_kind_reminders": "Pengiriman pengingat",
    "audit_kind_consent": "Persetujuan",
    "audit_kind_settings": "Pengaturan",
    "audit_kind_whatsapp": "Nomor WhatsApp",
    "audit_kind_export": "Ekspor",
    "audit_kind_erasure": "Penghapusan data",
    "audit_kind_deletion": "Penghapusan akun",
    "audit_from": "Dari",
    "audit_to": "Sampai",
    "audit_filter": "Tampilkan",
    "audit_when": "Kapan",
    "audit_who": "Siapa",
    "audit_what": "Apa",
    "audit_none": "Tidak ada catatan untuk filter ini.",
    "audit_more": "Menampilkan {count} terbaru. Pilih tanggal untuk melihat catatan yang lebih lama.",
    "audit_kept": "Catatan disimpan selama {days} hari, lalu terhapus dengan sendirinya.",
    "export_title": "Ekspor data Anda",
    "export_settings_hint": ("Unduh pelanggan, persetujuan, pesan, balasan, dan catatan aktivitas (JSON atau CSV)."),
    "export_hint": (
        "Salinan data akun ini: pelanggan yang disinkronkan dari sistem akuntansi Anda, persetujuan WhatsApp "
        "setiap pelanggan beserta buktinya dan setiap perubahannya, pengingat yang dikirim beserta status "
        "pengirimannya, balasan pelanggan, dan catatan aktivitas. JSON berupa satu file; CSV berupa zip berisi "
        "customers.csv, consent.csv, messages.csv, replies.csv, dan audit.csv. File ini memuat nomor telepon "
        "pelanggan: simpan dengan aman."
    ),
    "export_what": "Apa",
    "export_count": "Jumlah",
    "export_kind_customers": "Pelanggan",
    "export_kind_consent": "Catatan persetujuan (masing-masing dengan riwayatnya)",
    "export_kind_messages": "Pengingat yang dikirim",
    "export_kind_replies": "Balasan",
    "export_kind_audit": "Catatan aktivitas",
    "export_total": (
        "Total {count} item. Ekspor yang besar bisa perlu semenit untuk disiapkan: biarkan halaman ini terbuka."
    ),
    "export_json": "Unduh JSON",
    "export_zip": "Unduh CSV (zip)",
    "export_not_included": (
        "Tidak termasuk: token akses (tidak pernah diekspor), tagihan terbuka (tetap ada di sistem akuntansi Anda)."
    ),
    "wa_remove_title": "Hapus nomor WhatsApp",
    "wa_remove_settings_hint": "Menghentikan semua pengingat dan menghapus token akses yang tersimpan.",
    "wa_remove_what": "Anda akan menghapus {number} dari Lunas.",
    "wa_remove_stops": "Tidak ada pengingat atau balasan yang dikirim sampai Anda menambahkan nomor lagi.",
    "wa_remove_token": "Token akses yang tersimpan dihapus, dan Lunas berhenti menerima webhook nomor ini.",
    "wa_remove_history": "Pengingat yang sudah terkirim tetap ada di riwayat Anda.",
    "wa_remove_again": "Anda bisa menghubungkan nomor lagi di Pengaturan kapan saja.",
    "wa_remove_tick": "Ya, hapus nomor WhatsApp ini",
    "wa_remove_button": "Hapus nomornya",
    "wa_remove_cancel": "Batal",
    "wa_remove_confirm_needed": "Centang kotaknya untuk mengonfirmasi; nomor belum dihapus.",
    "wa_remove_nothing": "Tidak ada nomor WhatsApp yang terhubung.",
    "wa_removed": "Nomor WhatsApp sudah dihapus. Pengingat dijeda sampai Anda menambahkan nomor lagi.",
    "wa_removed_meta_unconfirmed": (
        "Nomor WhatsApp sudah dihapus dari Lunas, tetapi Meta belum mengonfirmasi bahwa aplikasi kami berhenti "
        "menerima webhook-nya; webhook yang masih datang diabaikan. Pengingat dijeda sampai Anda menambahkan "
        "nomor lagi."
    ),
    "cycle_no_whatsapp": (
        "Tidak ada nomor WhatsApp yang terhubung: tambahkan di Pengaturan agar pengingat berjalan lagi."
    ),
    "run_problem_no_whatsapp": (
        "Tidak ada nomor WhatsApp yang terhubung, jadi tidak ada yang dikirim: tambahkan di Pengaturan."
    ),
    "who_whatsapp_customer": "Pelanggan, lewat WhatsApp",
    "who_scheduler": "Lunas, sesuai jadwal",
    "who_operator": "Operator Lunas",
}
