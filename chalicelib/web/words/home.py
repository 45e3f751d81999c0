"""The home page (money, this month, needs attention, getting started) and owner-facing words for internal values."""

from __future__ import annotations

EN: dict[str, str] = {
    "home_money_title": "Money owed to you",
    "home_money_hint": (
        "From the last sync with Xero or QuickBooks. Amounts in different currencies are never added together."
    ),
    "home_money_none": "No open invoices in your connected accounting systems.",
    "home_money_not_read": (
        "Lunas has not read the invoices of {names} yet: it does at the next cycle, or now when you open the "
        "next cycle."
    ),
    "home_overdue": "Overdue",
    "home_overdue_count": "Overdue invoices: {count}",
    "home_due_soon": "Due in the next 7 days",
    "home_due_soon_count": "Invoices: {count}",
    "home_all_open": "All open invoices",
    "home_aging_caption": "How late the open invoices in {currency} are",
    "home_days_late": "How late",
    "aging_not_due": "Not due yet",
    "aging_days_1_30": "1–30 days late",
    "aging_days_31_60": "31–60 days late",
    "aging_days_61_90": "61–90 days late",
    "aging_days_over_90": "More than 90 days late",
    "home_month_title": "Reminders this month",
    "home_sent": "Sent",
    "home_delivered": "Delivered",
    "home_read": "Read",
    "home_failed": "Failed",
    "home_unconfirmed": "Not confirmed yet: {count}",
    "home_month_none": "No reminders sent this month yet.",
    "home_settled_title": "Paid after a reminder",
    "home_settled_count": "Invoices reminded this month and paid since: {count}",
    "home_settled_none": "No invoice reminded this month has been paid yet.",
    "home_settled_hint": (
        "Invoices Lunas reminded this month that Xero or QuickBooks no longer lists as open, with the amount "
        "they were reminded for. An invoice voided there also leaves the list and is counted here unless Xero or "
        "QuickBooks told Lunas it was voided."
    ),
    "attention_title": "Needs your attention",
    "attention_none": "Nothing needs your attention right now.",
    "attention_whatsapp_blocked": "WhatsApp sending is stopped by Meta. Open Settings to see what to do.",
    "attention_whatsapp_missing": "No WhatsApp number is connected, so no reminder can go out. Connect it.",
    "attention_whatsapp_account": "Meta reported a problem with your WhatsApp account. Check it in Settings.",
    "attention_reconnect": "{name} needs to be connected again: reminders for its invoices are paused.",
    "attention_templates": "Message templates Meta stopped or refused: {count}. See what to do.",
    "attention_replies": "Customer replies to read (last 7 days): {count}. Read and answer them.",
    "attention_phones": (
        "Customers whose number cannot get WhatsApp: {count}. Fix the mobile number in Xero or QuickBooks."
    ),
    "attention_consent": (
        "Customers with overdue invoices and no consent recorded: {count}. Record their consent to remind them."
    ),
    "attention_send_failed": "Reminders Meta did not accept: {count}. See which ones and why.",
    "attention_fix": "Fix",
    "checklist_title": "Getting started",
    "checklist_hint": "Six steps to your first reminder delivered. Each is ticked when Lunas sees it done.",
    "checklist_progress": "{done} of {total} done",
    "checklist_done": "Done",
    "checklist_todo": "To do",
    "checklist_whatsapp": "Connect your WhatsApp number",
    "checklist_whatsapp_how": "In Settings, click Connect WhatsApp and follow Meta's window.",
    "checklist_accounting": "Connect Xero or QuickBooks",
    "checklist_accounting_how": "Lunas reads your unpaid invoices and your customers' mobile numbers from it.",
    "checklist_consent": "Record a customer's consent",
    "checklist_consent_how": (
        "On Customers, record that a customer agreed to get WhatsApp reminders, and how (a form, a chat)."
    ),
    "checklist_preview": "Look at the next cycle",
    "checklist_preview_how": "See who would get a reminder now, and why the others would not. Nothing is sent.",
    "checklist_run": "Run now, or wait for the schedule",
    "checklist_run_how": "Press Run now on the next-cycle page, or let Lunas run every hour in your send window.",
    "checklist_delivered": "First reminder delivered",
    "checklist_delivered_how": "WhatsApp tells Lunas when the reminder reaches the customer's phone.",
    "checklist_go": "Go",
    "stage_before": "{days} before the due date",
    "stage_on_due": "on the due date",
    "stage_after": "{days} after the due date",
    "stage_unknown": "a reminder",
    "stage_reminder": "Reminder {stage}",
    "tpl_in_language": "{name} ({language})",
    "tpl_name_other": "A message template",
    "cycle_counts": "{total} invoices checked. {parts}",
    "cycle_no_open_invoices": "No open invoices to check.",
    "cycle_reconnect": "The accounting system refused our access: connect it again. Reminders are paused.",
    "cycle_rate_limited": "The accounting system asked Lunas to slow down. Lunas tries again in the next cycle.",
    "cycle_skipped": "Skipped: this connection is not working.",
    "cycle_other": "The last cycle did not finish. Lunas tries again in the next cycle.",
    "todo_sent": "Nothing to do.",
    "todo_would_send": "Nothing to do: it goes in this cycle.",
    "todo_paid": "Nothing to do: paid or voided in your accounting system.",
    "todo_paused": "Reminders resume when the pause ends, or unpause the customer.",
    "todo_below_minimum": "Nothing to do. Lower the minimum amount in Settings to remind it.",
    "todo_not_due": "Nothing to do: the first reminder goes when its day in your schedule comes.",
    "todo_already_sent": "Nothing to do: the next reminder goes at the next step of your schedule.",
    "todo_send_unconfirmed": ("Nothing to do: WhatsApp has not confirmed this send yet. Lunas never sends it twice."),
    "todo_no_phone": "Add the customer's mobile number in Xero or QuickBooks.",
    "todo_invalid_phone": "Fix the customer's mobile number in Xero or QuickBooks: this one cannot get WhatsApp.",
    "todo_not_on_whatsapp": (
        "This number is not on WhatsApp. Fix the mobile number in Xero or QuickBooks, or remind the customer "
        "another way."
    ),
    "todo_no_consent": "Record the customer's consent on the Customers page.",
    "todo_opted_out": "The customer asked for no reminders. Respect it; contact them another way.",
    "todo_outside_window": "Nothing to do: it goes in your next send window.",
    "todo_already_messaged_today": "Nothing to do: one message per customer per day. It goes tomorrow.",
    "todo_template_not_approved": "Wait for Meta to approve the message template (see the home page).",
    "todo_send_failed": "WhatsApp did not accept the message. Check the number and the alerts on the home page.",
    "todo_deferred": "Nothing to do: it is planned again in the next cycle.",
    "todo_messaging_limit": "Nothing to do: it goes when WhatsApp's daily limit allows.",
}

ID: dict[str, str] = {
    "home_money_title": "Uang yang belum dibayar pelanggan",
    "home_money_hint": (
        "Dari sinkronisasi terakhir dengan Xero atau QuickBooks. Jumlah dalam mata uang berbeda tidak pernah "
        "dijumlahkan."
    ),
    "home_money_none": "Tidak ada tagihan terbuka di sistem akuntansi yang terhubung.",
    "home_money_not_read": (
        "Lunas belum membaca tagihan {names}: dibaca pada pengecekan berikutnya, atau sekarang saat Anda membuka "
        "pengiriman berikutnya."
    ),
    "home_overdue": "Lewat jatuh tempo",
    "home_overdue_count": "Tagihan lewat jatuh tempo: {count}",
    "home_due_soon": "Jatuh tempo dalam 7 hari",
    "home_due_soon_count": "Tagihan: {count}",
    "home_all_open": "Semua tagihan terbuka",
    "home_aging_caption": "Seberapa lama tagihan terbuka dalam {currency} terlambat",
    "home_days_late": "Keterlambatan",
    "aging_not_due": "Belum jatuh tempo",
    "aging_days_1_30": "Terlambat 1–30 hari",
    "aging_days_31_60": "Terlambat 31–60 hari",
    "aging_days_61_90": "Terlambat 61–90 hari",
    "aging_days_over_90": "Terlambat lebih dari 90 hari",
    "home_month_title": "Pengingat bulan ini",
    "home_sent": "Terkirim",
    "home_delivered": "Sampai",
    "home_read": "Dibaca",
    "home_failed": "Gagal",
    "home_unconfirmed": "Belum dikonfirmasi: {count}",
    "home_month_none": "Belum ada pengingat yang dikirim bulan ini.",
    "home_settled_title": "Dibayar setelah diingatkan",
    "home_settled_count": "Tagihan yang diingatkan bulan ini dan sudah dibayar: {count}",
    "home_settled_none": "Belum ada tagihan yang diingatkan bulan ini yang sudah dibayar.",
    "home_settled_hint": (
        "Tagihan yang diingatkan Lunas bulan ini dan tidak lagi terbuka di Xero atau QuickBooks, dengan jumlah "
        "saat diingatkan. Tagihan yang dibatalkan di sana juga hilang dari daftar dan ikut dihitung, kecuali Xero "
        "atau QuickBooks memberi tahu Lunas bahwa tagihan itu dibatalkan."
    ),
    "attention_title": "Perlu perhatian Anda",
    "attention_none": "Saat ini tidak ada yang perlu ditangani.",
    "attention_whatsapp_blocked": "Pengiriman WhatsApp dihentikan oleh Meta. Buka Pengaturan untuk langkahnya.",
    "attention_whatsapp_missing": (
        "Belum ada nomor WhatsApp yang terhubung, jadi pengingat tidak bisa dikirim. Hubungkan nomornya."
    ),
    "attention_whatsapp_account": "Meta melaporkan masalah pada akun WhatsApp Anda. Periksa di Pengaturan.",
    "attention_reconnect": "{name} perlu dihubungkan lagi: pengingat untuk tagihannya dijeda.",
    "attention_templates": "Template pesan yang dihentikan atau ditolak Meta: {count}. Lihat langkahnya.",
    "attention_replies": "Balasan pelanggan yang belum dibaca (7 hari terakhir): {count}. Baca dan tanggapi.",
    "attention_phones": (
        "Pelanggan yang nomornya tidak bisa menerima WhatsApp: {count}. Perbaiki nomor HP di Xero atau QuickBooks."
    ),
    "attention_consent": (
        "Pelanggan dengan tagihan lewat jatuh tempo tanpa persetujuan tercatat: {count}. Catat persetujuannya "
        "agar bisa diingatkan."
    ),
    "attention_send_failed": "Pengingat yang tidak diterima Meta: {count}. Lihat yang mana dan sebabnya.",
    "attention_fix": "Perbaiki",
    "checklist_title": "Langkah awal",
    "checklist_hint": (
        "Enam langkah sampai pengingat pertama Anda sampai. Setiap langkah dicentang begitu Lunas melihatnya selesai."
    ),
    "checklist_progress": "{done} dari {total} selesai",
    "checklist_done": "Selesai",
    "checklist_todo": "Belum",
    "checklist_whatsapp": "Hubungkan nomor WhatsApp Anda",
    "checklist_whatsapp_how": "Di Pengaturan, klik Hubungkan WhatsApp lalu ikuti jendela Meta.",
    "checklist_accounting": "Hubungkan Xero atau QuickBooks",
    "checklist_accounting_how": "Lunas membaca tagihan yang belum dibayar dan nomor HP pelanggan dari sana.",
    "checklist_consent": "Catat persetujuan pelanggan",
    "checklist_consent_how": (
        "Di Pelanggan, catat bahwa pelanggan setuju menerima pengingat WhatsApp, dan caranya (formulir, chat)."
    ),
    "checklist_preview": "Lihat pengiriman berikutnya",
    "checklist_preview_how": (
        "Lihat siapa yang akan menerima pengingat sekarang, dan mengapa yang lain tidak. Tidak ada yang dikirim."
    ),
    "checklist_run": "Jalankan sekarang, atau tunggu jadwal",
    "checklist_run_how": (
        "Tekan Jalankan sekarang di halaman pengiriman berikutnya, atau biarkan Lunas berjalan setiap jam pada "
        "jam kirim Anda."
    ),
    "checklist_delivered": "Pengingat pertama sampai",
    "checklist_delivered_how": "WhatsApp memberi tahu Lunas saat pengingat sampai di HP pelanggan.",
    "checklist_go": "Buka",
    "stage_before": "{days} sebelum jatuh tempo",
    "stage_on_due": "pada hari jatuh tempo",
    "stage_after": "{days} setelah jatuh tempo",
    "stage_unknown": "sebuah pengingat",
    "stage_reminder": "Pengingat {stage}",
    "tpl_in_language": "{name} ({language})",
    "tpl_name_other": "Sebuah template pesan",
    "cycle_counts": "{total} tagihan diperiksa. {parts}",
    "cycle_no_open_invoices": "Tidak ada tagihan terbuka untuk diperiksa.",
    "cycle_reconnect": "Sistem akuntansi menolak akses kami: hubungkan lagi. Pengingat dijeda.",
    "cycle_rate_limited": (
        "Sistem akuntansi meminta Lunas memperlambat. Lunas mencoba lagi pada pengecekan berikutnya."
    ),
    "cycle_skipped": "Dilewati: koneksi ini tidak berfungsi.",
    "cycle_other": "Pengecekan terakhir tidak selesai. Lunas mencoba lagi pada pengecekan berikutnya.",
    "todo_sent": "Tidak perlu berbuat apa-apa.",
    "todo_would_send": "Tidak perlu berbuat apa-apa: pengingat dikirim pada pengecekan ini.",
    "todo_paid": "Tidak perlu berbuat apa-apa: sudah dibayar atau dibatalkan di sistem akuntansi Anda.",
    "todo_paused": "Pengingat berlanjut saat jeda berakhir, atau buka jeda pelanggan ini.",
    "todo_below_minimum": (
        "Tidak perlu berbuat apa-apa. Turunkan jumlah minimum di Pengaturan bila ingin mengingatkannya."
    ),
    "todo_not_due": "Tidak perlu berbuat apa-apa: pengingat pertama dikirim saat harinya tiba sesuai jadwal.",
    "todo_already_sent": ("Tidak perlu berbuat apa-apa: pengingat berikutnya dikirim pada langkah jadwal berikutnya."),
    "todo_send_unconfirmed": (
        "Tidak perlu berbuat apa-apa: WhatsApp belum mengonfirmasi pengiriman ini. Lunas tidak pernah mengirim dua "
        "kali."
    ),
    "todo_no_phone": "Tambahkan nomor HP pelanggan di Xero atau QuickBooks.",
    "todo_invalid_phone": (
        "Perbaiki nomor HP pelanggan di Xero atau QuickBooks: nomor ini tidak bisa menerima WhatsApp."
    ),
    "todo_not_on_whatsapp": (
        "Nomor ini tidak terdaftar di WhatsApp. Perbaiki nomor HP di Xero atau QuickBooks, atau hubungi "
        "pelanggan dengan cara lain."
    ),
    "todo_no_consent": "Catat persetujuan pelanggan di halaman Pelanggan.",
    "todo_opted_out": "Pelanggan meminta tidak diingatkan. Hormati; hubungi dengan cara lain.",
    "todo_outside_window": "Tidak perlu berbuat apa-apa: dikirim pada jam kirim berikutnya.",
    "todo_already_messaged_today": ("Tidak perlu berbuat apa-apa: satu pesan per pelanggan per hari. Dikirim besok."),
    "todo_template_not_approved": "Tunggu Meta menyetujui template pesannya (lihat halaman Ringkasan).",
    "todo_send_failed": ("WhatsApp tidak menerima pesan ini. Periksa nomornya dan peringatan di halaman Ringkasan."),
    "todo_deferred": "Tidak perlu berbuat apa-apa: direncanakan lagi pada pengecekan berikutnya.",
    "todo_messaging_limit": "Tidak perlu berbuat apa-apa: dikirim saat batas harian WhatsApp mengizinkan.",
}
