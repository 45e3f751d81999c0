"""WhatsApp templates' status and this month's costs (overview): docs/whatsapp-templates.md."""

from __future__ import annotations

EN: dict[str, str] = {
    "tpl_title": "WhatsApp message templates",
    "tpl_hint": "Meta must approve each message before Lunas can send it. This is what Meta last told us.",
    "tpl_name_pre_due": "Reminder before the due date",
    "tpl_name_due_today": "Reminder on the due date",
    "tpl_name_overdue": "Reminder after the due date",
    "tpl_name_statement": "One message for several invoices",
    "tpl_lang_id": "Bahasa Indonesia",
    "tpl_lang_en": "English",
    "tpl_status_approved": "Approved: ready to send",
    "tpl_status_pending": "Waiting for Meta's review",
    "tpl_status_flagged": "Approved, but Meta warned about its quality",
    "tpl_status_rejected": "Rejected by Meta",
    "tpl_status_rejected_todo": (
        "Meta refused this message, so Lunas cannot send it. Contact Lunas support: we adjust the wording and "
        "submit it again."
    ),
    "tpl_status_paused": "Paused by Meta",
    "tpl_status_paused_todo": (
        "Customers reported or ignored this message, so Meta paused it for a few hours or days. Lunas skips it "
        "until Meta un-pauses it; nothing for you to do, but check your customers have agreed to reminders."
    ),
    "tpl_status_disabled": "Disabled by Meta",
    "tpl_status_disabled_todo": (
        "Meta switched this message off after repeated complaints. Lunas cannot send it any more: contact Lunas "
        "support for a new version."
    ),
    "tpl_status_missing": "Not submitted to Meta yet",
    "tpl_status_missing_todo": (
        "Lunas has not submitted this message to Meta yet; it does so when you connect WhatsApp."
    ),
    "tpl_status_other": "Meta reported another status",
    "tpl_meta_said": "Meta said",
    "tpl_changed": "Last change",
    "costs_title": "WhatsApp costs this month",
    "costs_delivered": "Messages delivered this month: {count}",
    "costs_about": "about {amount}",
    "costs_hint": (
        "An estimate from Meta's published prices; Meta bills your WhatsApp Business account directly, and its "
        "invoice is what counts. Replies inside 24 hours of a customer's message are free."
    ),
    "costs_none": "No messages delivered this month yet.",
    "costs_cat_utility": "reminders",
    "costs_cat_service": "replies",
    "costs_cat_marketing": "marketing",
    "costs_cat_marketing_lite": "marketing",
    "costs_cat_authentication": "codes",
    "costs_cat_authentication_international": "codes (international)",
    "costs_cat_referral_conversion": "from ads",
    "costs_cat_unknown": "not priced yet",
}

ID: dict[str, str] = {
    "tpl_title": "Template pesan WhatsApp",
    "tpl_hint": "Meta harus menyetujui setiap pesan sebelum Lunas dapat mengirimnya. Ini kabar terakhir dari Meta.",
    "tpl_name_pre_due": "Pengingat sebelum jatuh tempo",
    "tpl_name_due_today": "Pengingat pada hari jatuh tempo",
    "tpl_name_overdue": "Pengingat setelah jatuh tempo",
    "tpl_name_statement": "Satu pesan untuk beberapa tagihan",
    "tpl_lang_id": "Bahasa Indonesia",
    "tpl_lang_en": "Bahasa Inggris",
    "tpl_status_approved": "Disetujui: siap dikirim",
    "tpl_status_pending": "Menunggu peninjauan Meta",
    "tpl_status_flagged": "Disetujui, tetapi Meta memperingatkan kualitasnya",
    "tpl_status_rejected": "Ditolak oleh Meta",
    "tpl_status_rejected_todo": (
        "Meta menolak pesan ini, jadi Lunas tidak dapat mengirimnya. Hubungi dukungan Lunas: kami perbaiki "
        "kata-katanya dan mengajukannya lagi."
    ),
    "tpl_status_paused": "Dijeda oleh Meta",
    "tpl_status_paused_todo": (
        "Pelanggan melaporkan atau mengabaikan pesan ini, jadi Meta menjedanya selama beberapa jam atau hari. "
        "Lunas melewatinya sampai Meta membukanya lagi; Anda tidak perlu berbuat apa-apa, tetapi pastikan "
        "pelanggan sudah setuju menerima pengingat."
    ),
    "tpl_status_disabled": "Dinonaktifkan oleh Meta",
    "tpl_status_disabled_todo": (
        "Meta mematikan pesan ini setelah keluhan berulang. Lunas tidak dapat mengirimnya lagi: hubungi dukungan "
        "Lunas untuk versi baru."
    ),
    "tpl_status_missing": "Belum diajukan ke Meta",
    "tpl_status_missing_todo": (
        "Lunas belum mengajukan pesan ini ke Meta; Lunas melakukannya saat Anda menghubungkan WhatsApp."
    ),
    "tpl_status_other": "Meta melaporkan status lain",
    "tpl_meta_said": "Kata Meta",
    "tpl_changed": "Perubahan terakhir",
    "costs_title": "Biaya WhatsApp bulan ini",
    "costs_delivered": "Pesan terkirim bulan ini: {count}",
    "costs_about": "sekitar {amount}",
    "costs_hint": (
        "Perkiraan dari harga resmi Meta; Meta menagih akun WhatsApp Business Anda langsung, dan tagihan Meta "
        "yang berlaku. Balasan dalam 24 jam setelah pesan pelanggan gratis."
    ),
    "costs_none": "Belum ada pesan terkirim bulan ini.",
    "costs_cat_utility": "pengingat",
    "costs_cat_service": "balasan",
    "costs_cat_marketing": "pemasaran",
    "costs_cat_marketing_lite": "pemasaran",
    "costs_cat_authentication": "kode",
    "costs_cat_authentication_international": "kode (internasional)",
    "costs_cat_referral_conversion": "dari iklan",
    "costs_cat_unknown": "belum ada harga",
}
