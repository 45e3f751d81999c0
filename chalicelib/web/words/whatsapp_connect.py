"""Connect WhatsApp (Embedded Signup) and the number's health: docs/whatsapp-onboarding.md."""

from __future__ import annotations

EN: dict[str, str] = {
    "wa_connect": "Connect WhatsApp",
    "wa_connect_hint": (
        "Meta opens a window where you log in with Facebook, choose or create your WhatsApp Business account and "
        "number, and allow Lunas to send messages from it. Lunas does the rest."
    ),
    "wa_connect_again": "Connect another number",
    "wa_connect_unconfigured": "Connecting through Meta is not set up on this Lunas yet: enter the IDs yourself.",
    "wa_connecting": "Connecting your WhatsApp number…",
    "wa_popup_cancelled": "The Meta window was closed before the number was shared. Nothing changed.",
    "wa_manual": "Enter the IDs yourself (advanced)",
    "wa_connected": "WhatsApp connected: {number} ({name}). Reminders will be sent from this number.",
    "wa_templates_pushed": "Your message templates were sent to Meta for approval.",
    "wa_templates_failed": (
        "Your message templates could not be sent to Meta yet. The number is connected; Lunas will try again."
    ),
    "wa_number": "Number",
    "wa_name": "Name in WhatsApp",
    "wa_quality": "Quality rating",
    "wa_limit": "Messaging limit",
    "wa_quality_GREEN": "High (green)",
    "wa_quality_YELLOW": "Medium (yellow): customers are reporting or blocking some messages",
    "wa_quality_RED": "Low (red): Meta may limit this number; Lunas sends more slowly",
    "wa_quality_UNKNOWN": "Not rated yet",
    "wa_unknown": "Not known yet",
    "wa_limit_TIER_50": "50 customers a day",
    "wa_limit_TIER_250": "250 customers a day",
    "wa_limit_TIER_1K": "1,000 customers a day",
    "wa_limit_TIER_2K": "2,000 customers a day",
    "wa_limit_TIER_10K": "10,000 customers a day",
    "wa_limit_TIER_100K": "100,000 customers a day",
    "wa_limit_TIER_UNLIMITED": "No daily limit",
    "wa_limit_TIER_NOT_SET": "Set by Meta after the first messages",
    "wa_account_problem": "Meta reported a problem with this WhatsApp account: {status}. Check WhatsApp Manager.",
    "signup_failed": "Lunas could not connect the number ({step}): {reason}",
    "signup_step_input": "reading Meta's answer",
    "signup_step_exchange": "signing in to Meta",
    "signup_step_subscribe": "receiving the account's messages",
    "signup_step_verify": "checking the number",
    "signup_step_register": "registering the number",
    "signup_step_read": "reading the number",
    "signup_step_store": "saving the number",
    "signup_code_invalid": "Meta's answer was incomplete or has expired. Click Connect WhatsApp and try again.",
    "signup_app_not_configured": "Lunas' Meta app is not set up correctly. Please tell Lunas support.",
    "signup_token_invalid": "Meta withdrew the permission just given. Click Connect WhatsApp and try again.",
    "signup_no_access": (
        "you did not share this WhatsApp account or number with Lunas in the Meta window. Click Connect WhatsApp "
        "and tick the account and the number."
    ),
    "signup_pin_mismatch": (
        "this number has a two-step verification PIN. Turn two-step verification off for the number in "
        "WhatsApp Manager, then connect again."
    ),
    "signup_number_not_ready": (
        "Meta has not finished verifying this number. Finish the verification code step in WhatsApp Manager, "
        "then connect again."
    ),
    "signup_number_taken": "this WhatsApp number is already connected to another Lunas account.",
    "signup_unavailable": "Meta did not answer. Nothing was saved. Please try again in a few minutes.",
    "signup_refused": "Meta refused the request. Please try again, or tell Lunas support if it keeps happening.",
}

ID: dict[str, str] = {
    "wa_connect": "Hubungkan WhatsApp",
    "wa_connect_hint": (
        "Meta membuka jendela untuk masuk dengan Facebook, memilih atau membuat akun WhatsApp Business dan "
        "nomornya, lalu mengizinkan Lunas mengirim pesan dari nomor itu. Sisanya dikerjakan Lunas."
    ),
    "wa_connect_again": "Hubungkan nomor lain",
    "wa_connect_unconfigured": "Koneksi lewat Meta belum diatur di Lunas ini: isi ID-nya sendiri.",
    "wa_connecting": "Menghubungkan nomor WhatsApp Anda…",
    "wa_popup_cancelled": "Jendela Meta ditutup sebelum nomor dibagikan. Tidak ada yang berubah.",
    "wa_manual": "Isi ID sendiri (lanjutan)",
    "wa_connected": "WhatsApp terhubung: {number} ({name}). Pengingat akan dikirim dari nomor ini.",
    "wa_templates_pushed": "Template pesan Anda sudah dikirim ke Meta untuk disetujui.",
    "wa_templates_failed": (
        "Template pesan Anda belum bisa dikirim ke Meta. Nomornya sudah terhubung; Lunas akan mencoba lagi."
    ),
    "wa_number": "Nomor",
    "wa_name": "Nama di WhatsApp",
    "wa_quality": "Peringkat kualitas",
    "wa_limit": "Batas pesan",
    "wa_quality_GREEN": "Tinggi (hijau)",
    "wa_quality_YELLOW": "Sedang (kuning): sebagian pesan dilaporkan atau diblokir pelanggan",
    "wa_quality_RED": "Rendah (merah): Meta bisa membatasi nomor ini; Lunas mengirim lebih lambat",
    "wa_quality_UNKNOWN": "Belum dinilai",
    "wa_unknown": "Belum diketahui",
    "wa_limit_TIER_50": "50 pelanggan per hari",
    "wa_limit_TIER_250": "250 pelanggan per hari",
    "wa_limit_TIER_1K": "1.000 pelanggan per hari",
    "wa_limit_TIER_2K": "2.000 pelanggan per hari",
    "wa_limit_TIER_10K": "10.000 pelanggan per hari",
    "wa_limit_TIER_100K": "100.000 pelanggan per hari",
    "wa_limit_TIER_UNLIMITED": "Tanpa batas harian",
    "wa_limit_TIER_NOT_SET": "Ditentukan Meta setelah pesan pertama",
    "wa_account_problem": "Meta melaporkan masalah pada akun WhatsApp ini: {status}. Periksa WhatsApp Manager.",
    "signup_failed": "Lunas tidak dapat menghubungkan nomor ({step}): {reason}",
    "signup_step_input": "membaca jawaban Meta",
    "signup_step_exchange": "masuk ke Meta",
    "signup_step_subscribe": "menerima pesan akun",
    "signup_step_verify": "memeriksa nomor",
    "signup_step_register": "mendaftarkan nomor",
    "signup_step_read": "membaca data nomor",
    "signup_step_store": "menyimpan nomor",
    "signup_code_invalid": (
        "Jawaban Meta tidak lengkap atau sudah kedaluwarsa. Klik Hubungkan WhatsApp dan coba lagi."
    ),
    "signup_app_not_configured": ("Aplikasi Meta milik Lunas belum diatur dengan benar. Mohon hubungi dukungan Lunas."),
    "signup_token_invalid": "Meta mencabut izin yang baru diberikan. Klik Hubungkan WhatsApp dan coba lagi.",
    "signup_no_access": (
        "Anda tidak membagikan akun atau nomor WhatsApp ini ke Lunas di jendela Meta. Klik Hubungkan WhatsApp "
        "lalu centang akun dan nomornya."
    ),
    "signup_pin_mismatch": (
        "nomor ini memakai PIN verifikasi dua langkah. Matikan verifikasi dua langkah untuk nomor ini di "
        "WhatsApp Manager, lalu hubungkan lagi."
    ),
    "signup_number_not_ready": (
        "Meta belum selesai memverifikasi nomor ini. Selesaikan langkah kode verifikasi di WhatsApp Manager, "
        "lalu hubungkan lagi."
    ),
    "signup_number_taken": "nomor WhatsApp ini sudah terhubung ke akun Lunas lain.",
    "signup_unavailable": "Meta tidak menjawab. Tidak ada yang disimpan. Silakan coba lagi beberapa menit lagi.",
    "signup_refused": (
        "Meta menolak permintaan ini. Silakan coba lagi, atau hubungi dukungan Lunas bila terus terjadi."
    ),
}
