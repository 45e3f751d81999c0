"""The dashboard's words in English and Bahasa Indonesia.

Templates call `t("key")`; a key missing in Indonesian falls back to English, a key missing everywhere shows itself
(so a typo is visible, never an error page).
"""

from __future__ import annotations

LANGUAGES = ("en", "id")

_EN: dict[str, str] = {
    "app_tagline": "WhatsApp reminders for unpaid invoices",
    "nav_overview": "Overview",
    "nav_settings": "Settings",
    "nav_customers": "Customers",
    "nav_invoices": "Invoices",
    "nav_preview": "Next cycle",
    "sign_in": "Sign in",
    "sign_up": "Create an account",
    "sign_out": "Sign out",
    "email": "E-mail",
    "password": "Password",
    "password_hint": "At least 8 characters, with upper and lower case letters, a digit and a symbol.",
    "business_name": "Business name",
    "have_account": "Already have an account?",
    "no_account": "New to Lunas?",
    "signin_failed": "Wrong e-mail or password.",
    "signup_exists": "An account with this e-mail already exists. Sign in instead.",
    "signup_weak_password": "This password is too weak.",
    "signup_invalid": "Please check the e-mail address and password.",
    "signed_in_as": "Signed in as",
    "connections": "Accounting connections",
    "no_connections": "Nothing connected yet. Connect Xero or QuickBooks to start.",
    "connect_xero": "Connect Xero",
    "connect_quickbooks": "Connect QuickBooks",
    "disconnect": "Disconnect",
    "reconnect": "Reconnect",
    "status_active": "Working",
    "status_reconnect_needed": "Reconnect needed: the accounting system refused our access; reminders are paused.",
    "status_disconnected": "Disconnected",
    "last_cycle": "Last cycle",
    "never_run": "No cycle yet",
    "connected_ok": "Connected: {names}.",
    "disconnected_ok": "Disconnected {name}. Its tokens are deleted and its reminders stopped.",
    "disconnected_not_revoked": "We could not reach the provider to revoke access; remove Lunas in its app settings.",
    "whatsapp": "WhatsApp number",
    "whatsapp_missing": "No WhatsApp number set up yet: reminders cannot be sent.",
    "phone_number_id": "Phone number ID",
    "business_account_id": "WhatsApp Business Account ID",
    "access_token": "Access token",
    "token_stored": "A token is stored (encrypted). Leave empty to keep it while the number and account stay the same.",
    "token_missing": "No token stored yet.",
    "save": "Save",
    "saved": "Saved.",
    "schedule": "Reminder schedule",
    "stages": "Stages (days from the due date, comma-separated; negative = before)",
    "timezone": "Time zone",
    "window_start": "Send from",
    "window_end": "Send until",
    "weekdays": "Days",
    "language": "Message language",
    "minimums": "Minimum amounts (e.g. IDR 50000, USD 10)",
    "settings_invalid": "Please check the highlighted values: {problem}",
    "customers": "Customers",
    "customers_hint": "Customers with open invoices in your connected accounting systems, and every recorded consent.",
    "customer": "Customer",
    "phone": "WhatsApp number",
    "consent": "Consent",
    "consent_opted_in": "Opted in",
    "consent_opted_out": "Opted out",
    "consent_none": "No consent recorded",
    "evidence": "Evidence (what the customer agreed to, where and when)",
    "source": "Source",
    "record_opt_in": "Record opt-in",
    "record_opt_out": "Record opt-out",
    "add_consent": "Record consent for another number",
    "consent_saved": "Recorded: {phone} is now {status}.",
    "consent_evidence_needed": "An opt-in needs evidence: say what the customer agreed to, where and when.",
    "phone_invalid": "That number cannot receive WhatsApp reminders: {detail}",
    "read_failed": "Could not read {name} just now: {problem}",
    "invoices": "Invoices",
    "invoice": "Invoice",
    "due": "Due",
    "amount": "Amount due",
    "latest": "Latest decision",
    "timeline": "Reminders",
    "no_invoices": "No invoices seen yet. Run a cycle to see them here.",
    "preview": "Next cycle",
    "preview_hint": "What would be sent if a cycle ran now, to whom, and why not for the rest. Nothing is sent here.",
    "would_send": "Would send now",
    "would_not_send": "Would not send",
    "nothing_to_send": "Nothing would be sent now.",
    "to": "To",
    "why_not": "Why not",
    "run_now": "Run now",
    "run_now_queued": "A cycle is queued for {count} connection(s). Results appear under Invoices in a minute.",
    "run_now_done": "Cycle finished: {summary}",
    "run_now_none": "No working connection to run.",
    "error_title": "Something went wrong",
    "back": "Back to the dashboard",
    "try_again": "Try again",
    "err_denied": "You chose not to allow access, so nothing was connected. You can try again whenever you like.",
    "err_missing_state": (
        "This connection attempt was not started from your Lunas dashboard (or its link is incomplete), so we "
        "stopped it to keep your account safe. Start again from the dashboard."
    ),
    "err_expired_state": "This connection attempt took too long and expired. Please start again.",
    "err_replayed": "This connection link was already used. Please start again from the dashboard.",
    "err_wrong_user": (
        "This connection attempt belongs to another sign-in, so we stopped it. Start again from your dashboard."
    ),
    "err_code_rejected": (
        "The accounting system did not accept this approval (it was already used or has expired). Please start again."
    ),
    "err_provider_error": "The accounting system reported a problem. Please try again in a few minutes.",
    "err_no_organisations": "The approval did not include any organisation. Please choose at least one and try again.",
    "err_unknown_provider": "We do not know that accounting system.",
    "err_not_found": "That page or item does not exist in your organisation.",
    "err_csrf": "This form expired or did not come from Lunas. Please reload the page and try again.",
    "err_internal": "An unexpected error happened on our side. Nothing was changed. Please try again.",
    "err_whatsapp_not_configured": "Set up your WhatsApp number in Settings first.",
    "err_too_large": "This form is too large to be saved. Please shorten what you typed and try again.",
    "input_token_invalid": (
        "the access token must be the token Meta shows: letters, digits and . _ - = | only, at most 2,048 characters"
    ),
    "input_too_many_minimums": "give at most {limit} minimum amounts, one per currency",
    "whatsapp_token_needed": (
        "a new phone number ID or WhatsApp Business Account ID needs its access token: paste the token again"
    ),
    "whatsapp_token_refused": (
        "Meta refused this access token (it is wrong, expired or was revoked). Copy a current token from Meta "
        "Business Suite and try again"
    ),
    "whatsapp_no_access": (
        "this access token cannot manage WhatsApp Business Account {waba}: check the account ID and that the token "
        "has the whatsapp_business_management permission for it"
    ),
    "whatsapp_number_not_in_account": (
        "WhatsApp Business Account {waba} does not list phone number ID {number} for this access token: check both "
        "IDs in WhatsApp Manager"
    ),
    "whatsapp_meta_unreachable": (
        "We could not reach Meta to confirm this WhatsApp number. Nothing was saved. Please try again in a few minutes."
    ),
    "whatsapp_number_taken": "this WhatsApp number is already connected to another Lunas account",
    "whatsapp_verified": "Confirmed by Meta: {number} ({name}).",
    "whatsapp_unverified": (
        "Meta has not confirmed this number for your account yet: enter its access token and save to confirm it."
    ),
    "input_amount_too_large": "the minimum amount in {currency} is too large",
    "country": "Country",
    "country_hint": (
        "Phone numbers written without + (the ones you type, and those of a connected company that does not say "
        "its country) are read as numbers of this country."
    ),
    "signup_country_invalid": "Please choose your country from the list.",
    "input_country_invalid": "choose the country from the list",
    "connection_countries": (
        "Each connected company's customer numbers without + are read in that company's own country:"
    ),
    "connection_country": "{name}: {country}",
    "connection_country_currency": "{name}: {country}, {currency}",
    "connection_country_unknown": "{name}: not known, read as {country} (your country)",
    "reason_sent": "Sent",
    "reason_would_send": "Would be sent",
    "reason_paid": "Paid or voided",
    "reason_paused": "Paused",
    "reason_below_minimum": "Below the minimum amount",
    "reason_not_due": "No reminder due yet",
    "reason_already_sent": "This stage was already sent",
    "reason_send_unconfirmed": "Send unconfirmed (never repeated blindly)",
    "reason_no_phone": "No mobile number",
    "reason_invalid_phone": "Number cannot receive WhatsApp",
    "reason_not_on_whatsapp": "Not on WhatsApp",
    "reason_no_consent": "No consent recorded",
    "reason_opted_out": "Opted out",
    "reason_outside_window": "Outside the send window",
    "reason_already_messaged_today": "Already messaged today",
    "reason_template_not_approved": "Template not approved",
    "reason_send_failed": "Sending failed",
    "reason_deferred": "Held for the next cycle",
    # -- WhatsApp sending problems: the overview's banner and the messaging-limit reason (docs/whatsapp-sending.md)
    "reason_messaging_limit": "Waiting for WhatsApp's daily limit",
    "wa_alert_account_title": "WhatsApp sending is stopped",
    "wa_alert_account_body": (
        "Meta refused to send from this WhatsApp account ({when}). No reminder goes out until this is "
        "fixed; none is lost: each one goes in the first cycle after."
    ),
    "wa_alert_template_title": "A WhatsApp message template is stopped",
    "wa_alert_template_body": (
        'Meta refused the message "{template}" ({when}). Reminders that use it wait; the others still go.'
    ),
    "wa_alert_what_to_do": "What to do:",
    "wa_advice_190": "Meta no longer accepts the WhatsApp access token (expired or revoked). Connect WhatsApp again in "
    "Settings.",
    "wa_advice_368": "Meta has temporarily blocked this WhatsApp account for a policy violation. Check the account in "
    "WhatsApp Manager, then save the WhatsApp number again in Settings.",
    "wa_advice_131031": "Meta has locked this WhatsApp Business account. Check Account quality in WhatsApp Manager, "
    "then save the WhatsApp number again in Settings.",
    "wa_advice_131042": "There is a payment problem on the WhatsApp Business account. Add or fix the payment method in "
    "Meta Business Settings, then save the WhatsApp number again in Settings.",
    "wa_advice_131048": "Meta limited this number because customers blocked or reported it. Check Account quality in "
    "WhatsApp Manager, then save the WhatsApp number again in Settings.",
    "wa_advice_133010": "This WhatsApp number is not registered for sending. Register it in WhatsApp Manager, then "
    "save the WhatsApp number again in Settings.",
    "wa_advice_template": "Check the template in WhatsApp Manager (Message templates). When Meta shows it as Active "
    "again, reminders that use it go at the next cycle.",
    "delivery_sent": "sent",
    "delivery_delivered": "delivered",
    "delivery_read": "read",
    "delivery_failed": "failed",
    "delivery_claimed": "sending (unconfirmed)",
    "stage": "Stage",
    "flash_saved": "Saved.",
    "flash_connected": "Connected. Your invoices will be read in the next cycle.",
    "flash_connected_shared": (
        "Connected, but another Lunas account has connected the same company too: its customers could get "
        "reminders from both accounts. Disconnect it in the account that should not send them."
    ),
    "flash_disconnected": "Disconnected. Its tokens are deleted and its reminders stopped.",
    "flash_not_revoked": (
        "Disconnected and its tokens deleted, but we could not reach the provider to revoke access: remove Lunas "
        "in its app settings."
    ),
    "flash_consent": "Consent recorded.",
    "flash_queued": "A cycle is queued for your connections. Results appear here in a minute.",
    "flash_done": "Cycle finished. The results are below.",
    "flash_none": "No working connection to run.",
    "nav_payments": "Payments",
    "pay_settings": "How customers pay you",
    "pay_settings_hint": (
        "Every reminder's pay button opens a Lunas page. Where Xero or QuickBooks has an online payment page it goes "
        'there; otherwise the page shows the invoices with what you set here. Customers can press "I have paid": '
        "you see it on the overview, and that invoice's reminders pause for the days you choose."
    ),
    "pay_bank_accounts": "Bank accounts (up to 3)",
    "pay_bank_name": "Bank",
    "pay_account_number": "Account number",
    "pay_account_holder": "Account holder",
    "pay_virtual_account": "Virtual account (optional)",
    "pay_e_wallet": "E-wallet (optional, e.g. GoPay / OVO number and name)",
    "pay_hold_days": 'Days to pause reminders after "I have paid"',
    "pay_hold_hint": "From 1 to {limit} days. If the payment has not arrived by then, reminders start again.",
    "pay_qris_none": "No QRIS image yet.",
    "pay_qris_upload": "QRIS image (PNG or JPEG, at most {limit} KB)",
    "pay_qris_save": "Upload QRIS",
    "pay_qris_remove": "Remove QRIS",
    "pay_invalid": "Nothing was saved: {problem}.",
    "pay_bank_incomplete": "bank account {index} needs the bank, the account number and the account holder",
    "pay_account_number_invalid": (
        "account number {index} should be the digits of the account (spaces and dashes are fine)"
    ),
    "pay_hold_days_invalid": 'the pause after "I have paid" must be a whole number of days from 1 to {limit}',
    "pay_too_long": '"{value}…" is too long (at most {limit} characters)',
    "pay_qris_missing": "choose a QRIS image to upload",
    "pay_qris_too_large": "the QRIS image is larger than {limit} KB",
    "pay_qris_not_image": "the QRIS image must be a PNG or JPEG file",
    "said_paid": "Customers who said they paid",
    "said_paid_hint": 'They pressed "I have paid" on their payment page. Check your bank account.',
    "said_paid_none": "Nobody has said they paid yet.",
    "said_paid_invoice": "The customer said they paid on {when}.",
}

_ID: dict[str, str] = {
    "app_tagline": "Pengingat WhatsApp untuk tagihan yang belum dibayar",
    "nav_overview": "Ringkasan",
    "nav_settings": "Pengaturan",
    "nav_customers": "Pelanggan",
    "nav_invoices": "Tagihan",
    "nav_preview": "Pengiriman berikutnya",
    "sign_in": "Masuk",
    "sign_up": "Buat akun",
    "sign_out": "Keluar",
    "email": "E-mail",
    "password": "Kata sandi",
    "password_hint": "Minimal 8 karakter, dengan huruf besar dan kecil, angka, dan simbol.",
    "business_name": "Nama usaha",
    "have_account": "Sudah punya akun?",
    "no_account": "Baru di Lunas?",
    "signin_failed": "E-mail atau kata sandi salah.",
    "signup_exists": "Akun dengan e-mail ini sudah ada. Silakan masuk.",
    "signup_weak_password": "Kata sandi ini terlalu lemah.",
    "signup_invalid": "Periksa kembali e-mail dan kata sandi.",
    "signed_in_as": "Masuk sebagai",
    "connections": "Koneksi akuntansi",
    "no_connections": "Belum ada yang terhubung. Hubungkan Xero atau QuickBooks untuk mulai.",
    "connect_xero": "Hubungkan Xero",
    "connect_quickbooks": "Hubungkan QuickBooks",
    "disconnect": "Putuskan koneksi",
    "reconnect": "Hubungkan ulang",
    "status_active": "Berjalan",
    "status_reconnect_needed": (
        "Perlu dihubungkan ulang: sistem akuntansi menolak akses kami; pengingat dihentikan sementara."
    ),
    "status_disconnected": "Terputus",
    "last_cycle": "Pengecekan terakhir",
    "never_run": "Belum pernah dicek",
    "connected_ok": "Terhubung: {names}.",
    "disconnected_ok": "{name} diputuskan. Tokennya dihapus dan pengingatnya dihentikan.",
    "disconnected_not_revoked": (
        "Kami tidak dapat menghubungi penyedia untuk mencabut akses; hapus Lunas di pengaturan aplikasinya."
    ),
    "whatsapp": "Nomor WhatsApp",
    "whatsapp_missing": "Nomor WhatsApp belum diatur: pengingat tidak dapat dikirim.",
    "phone_number_id": "ID nomor telepon",
    "business_account_id": "ID WhatsApp Business Account",
    "access_token": "Token akses",
    "token_stored": (
        "Token tersimpan (terenkripsi). Kosongkan untuk tetap memakainya selama nomor dan akunnya tidak berubah."
    ),
    "token_missing": "Belum ada token tersimpan.",
    "save": "Simpan",
    "saved": "Tersimpan.",
    "schedule": "Jadwal pengingat",
    "stages": "Tahap (hari dari jatuh tempo, dipisah koma; negatif = sebelum)",
    "timezone": "Zona waktu",
    "window_start": "Kirim mulai",
    "window_end": "Kirim sampai",
    "weekdays": "Hari",
    "language": "Bahasa pesan",
    "minimums": "Jumlah minimum (mis. IDR 50000, USD 10)",
    "settings_invalid": "Periksa nilai berikut: {problem}",
    "customers": "Pelanggan",
    "customers_hint": "Pelanggan dengan tagihan terbuka di sistem akuntansi Anda, dan semua persetujuan yang tercatat.",
    "customer": "Pelanggan",
    "phone": "Nomor WhatsApp",
    "consent": "Persetujuan",
    "consent_opted_in": "Setuju menerima",
    "consent_opted_out": "Menolak",
    "consent_none": "Belum ada persetujuan",
    "evidence": "Bukti (apa yang disetujui pelanggan, di mana dan kapan)",
    "source": "Sumber",
    "record_opt_in": "Catat persetujuan",
    "record_opt_out": "Catat penolakan",
    "add_consent": "Catat persetujuan untuk nomor lain",
    "consent_saved": "Tercatat: {phone} sekarang {status}.",
    "consent_evidence_needed": "Persetujuan memerlukan bukti: tulis apa yang disetujui pelanggan, di mana dan kapan.",
    "phone_invalid": "Nomor itu tidak dapat menerima pengingat WhatsApp: {detail}",
    "read_failed": "Tidak dapat membaca {name} saat ini: {problem}",
    "invoices": "Tagihan",
    "invoice": "Tagihan",
    "due": "Jatuh tempo",
    "amount": "Sisa tagihan",
    "latest": "Keputusan terakhir",
    "timeline": "Pengingat",
    "no_invoices": "Belum ada tagihan. Tekan Jalankan sekarang di Pengiriman berikutnya untuk melihatnya di sini.",
    "preview": "Pengiriman berikutnya",
    "preview_hint": (
        "Apa yang akan dikirim jika pengecekan berjalan sekarang, kepada siapa, dan mengapa tidak untuk sisanya. "
        "Tidak ada yang dikirim di sini."
    ),
    "would_send": "Akan dikirim sekarang",
    "would_not_send": "Tidak akan dikirim",
    "nothing_to_send": "Tidak ada yang akan dikirim sekarang.",
    "to": "Kepada",
    "why_not": "Alasan",
    "run_now": "Jalankan sekarang",
    "run_now_queued": "Pengecekan diantrekan untuk {count} koneksi. Hasilnya muncul di Tagihan dalam satu menit.",
    "run_now_done": "Pengecekan selesai: {summary}",
    "run_now_none": "Tidak ada koneksi yang berjalan.",
    "error_title": "Terjadi masalah",
    "back": "Kembali ke dasbor",
    "try_again": "Coba lagi",
    "err_denied": (
        "Anda memilih untuk tidak memberi akses, jadi tidak ada yang terhubung. Anda bisa mencoba lagi kapan saja."
    ),
    "err_missing_state": (
        "Upaya koneksi ini tidak dimulai dari dasbor Lunas Anda (atau tautannya tidak lengkap), jadi kami "
        "menghentikannya demi keamanan akun Anda. Mulai lagi dari dasbor."
    ),
    "err_expired_state": "Upaya koneksi ini terlalu lama dan kedaluwarsa. Silakan mulai lagi.",
    "err_replayed": "Tautan koneksi ini sudah dipakai. Silakan mulai lagi dari dasbor.",
    "err_wrong_user": (
        "Upaya koneksi ini milik sesi masuk lain, jadi kami menghentikannya. Mulai lagi dari dasbor Anda."
    ),
    "err_code_rejected": (
        "Sistem akuntansi tidak menerima persetujuan ini (sudah dipakai atau kedaluwarsa). Silakan mulai lagi."
    ),
    "err_provider_error": "Sistem akuntansi melaporkan masalah. Silakan coba lagi beberapa menit lagi.",
    "err_no_organisations": "Persetujuan tidak mencakup organisasi mana pun. Pilih setidaknya satu dan coba lagi.",
    "err_unknown_provider": "Kami tidak mengenal sistem akuntansi itu.",
    "err_not_found": "Halaman atau data itu tidak ada di organisasi Anda.",
    "err_csrf": "Formulir ini kedaluwarsa atau bukan dari Lunas. Muat ulang halaman dan coba lagi.",
    "err_internal": "Terjadi kesalahan tak terduga di sisi kami. Tidak ada yang diubah. Silakan coba lagi.",
    "err_whatsapp_not_configured": "Atur nomor WhatsApp Anda di Pengaturan terlebih dahulu.",
    "err_too_large": "Formulir ini terlalu besar untuk disimpan. Persingkat isian Anda dan coba lagi.",
    "input_token_invalid": (
        "token akses harus berupa token dari Meta: hanya huruf, angka dan . _ - = |, paling banyak 2.048 karakter"
    ),
    "input_too_many_minimums": "isi paling banyak {limit} jumlah minimum, satu per mata uang",
    "whatsapp_token_needed": (
        "ID nomor telepon atau ID WhatsApp Business Account yang baru memerlukan token aksesnya: tempel tokennya lagi"
    ),
    "whatsapp_token_refused": (
        "Meta menolak token akses ini (salah, kedaluwarsa, atau sudah dicabut). Salin token yang berlaku dari Meta "
        "Business Suite lalu coba lagi"
    ),
    "whatsapp_no_access": (
        "token akses ini tidak dapat mengelola WhatsApp Business Account {waba}: periksa ID akun dan pastikan token "
        "memiliki izin whatsapp_business_management untuk akun itu"
    ),
    "whatsapp_number_not_in_account": (
        "WhatsApp Business Account {waba} tidak memuat ID nomor telepon {number} untuk token akses ini: periksa kedua "
        "ID di WhatsApp Manager"
    ),
    "whatsapp_meta_unreachable": (
        "Kami tidak dapat menghubungi Meta untuk memastikan nomor WhatsApp ini. Tidak ada yang disimpan. Silakan coba "
        "lagi beberapa menit lagi."
    ),
    "whatsapp_number_taken": "nomor WhatsApp ini sudah terhubung ke akun Lunas lain",
    "whatsapp_verified": "Dikonfirmasi oleh Meta: {number} ({name}).",
    "whatsapp_unverified": (
        "Meta belum mengonfirmasi nomor ini untuk akun Anda: masukkan token aksesnya lalu simpan untuk "
        "mengonfirmasinya."
    ),
    "input_amount_too_large": "jumlah minimum dalam {currency} terlalu besar",
    "country": "Negara",
    "country_hint": (
        "Nomor telepon yang ditulis tanpa + (yang Anda ketik, dan milik perusahaan terhubung yang tidak menyebut "
        "negaranya) dibaca sebagai nomor negara ini."
    ),
    "signup_country_invalid": "Pilih negara Anda dari daftar.",
    "input_country_invalid": "pilih negara dari daftar",
    "connection_countries": (
        "Nomor pelanggan tanpa + dari setiap perusahaan yang terhubung dibaca menurut negara perusahaan itu sendiri:"
    ),
    "connection_country": "{name}: {country}",
    "connection_country_currency": "{name}: {country}, {currency}",
    "connection_country_unknown": "{name}: tidak diketahui, dibaca sebagai {country} (negara Anda)",
    "reason_sent": "Terkirim",
    "reason_would_send": "Akan dikirim",
    "reason_paid": "Sudah dibayar atau dibatalkan",
    "reason_paused": "Dijeda",
    "reason_below_minimum": "Di bawah jumlah minimum",
    "reason_not_due": "Belum ada pengingat yang jatuh tempo",
    "reason_already_sent": "Tahap ini sudah dikirim",
    "reason_send_unconfirmed": "Pengiriman belum pasti (tidak diulang begitu saja)",
    "reason_no_phone": "Tidak ada nomor ponsel",
    "reason_invalid_phone": "Nomor tidak bisa menerima WhatsApp",
    "reason_not_on_whatsapp": "Tidak terdaftar di WhatsApp",
    "reason_no_consent": "Belum ada persetujuan",
    "reason_opted_out": "Menolak menerima",
    "reason_outside_window": "Di luar jam kirim",
    "reason_already_messaged_today": "Sudah dikirimi pesan hari ini",
    "reason_template_not_approved": "Template belum disetujui",
    "reason_send_failed": "Gagal terkirim",
    "reason_deferred": "Ditunda ke pengecekan berikutnya",
    # -- masalah pengiriman WhatsApp: spanduk di ikhtisar dan alasan batas pesan (docs/whatsapp-sending.md)
    "reason_messaging_limit": "Menunggu batas harian WhatsApp",
    "wa_alert_account_title": "Pengiriman WhatsApp berhenti",
    "wa_alert_account_body": (
        "Meta menolak mengirim dari akun WhatsApp ini ({when}). Tidak ada pengingat yang terkirim sampai "
        "masalah ini beres; tidak ada yang hilang: semuanya terkirim pada pengecekan pertama sesudahnya."
    ),
    "wa_alert_template_title": "Sebuah template pesan WhatsApp dihentikan",
    "wa_alert_template_body": (
        'Meta menolak pesan "{template}" ({when}). Pengingat yang memakainya menunggu; yang lain tetap terkirim.'
    ),
    "wa_alert_what_to_do": "Yang perlu dilakukan:",
    "wa_advice_190": "Meta tidak lagi menerima token akses WhatsApp (kedaluwarsa atau dicabut). Hubungkan WhatsApp "
    "lagi di Pengaturan.",
    "wa_advice_368": "Meta memblokir sementara akun WhatsApp ini karena pelanggaran kebijakan. Periksa akun di "
    "WhatsApp Manager, lalu simpan lagi nomor WhatsApp di Pengaturan.",
    "wa_advice_131031": "Meta mengunci akun WhatsApp Business ini. Periksa Kualitas akun di WhatsApp Manager, lalu "
    "simpan lagi nomor WhatsApp di Pengaturan.",
    "wa_advice_131042": "Ada masalah pembayaran pada akun WhatsApp Business. Tambahkan atau perbaiki metode pembayaran "
    "di Meta Business Settings, lalu simpan lagi nomor WhatsApp di Pengaturan.",
    "wa_advice_131048": "Meta membatasi nomor ini karena pelanggan memblokir atau melaporkannya. Periksa Kualitas akun "
    "di WhatsApp Manager, lalu simpan lagi nomor WhatsApp di Pengaturan.",
    "wa_advice_133010": "Nomor WhatsApp ini belum terdaftar untuk mengirim. Daftarkan di WhatsApp Manager, lalu simpan "
    "lagi nomor WhatsApp di Pengaturan.",
    "wa_advice_template": "Periksa template itu di WhatsApp Manager (Template pesan). Setelah Meta menampilkannya "
    "Aktif lagi, pengingat yang memakainya terkirim pada pengecekan berikutnya.",
    "delivery_sent": "terkirim",
    "delivery_delivered": "diterima",
    "delivery_read": "dibaca",
    "delivery_failed": "gagal",
    "delivery_claimed": "sedang dikirim (belum pasti)",
    "stage": "Tahap",
    "flash_saved": "Tersimpan.",
    "flash_connected": "Terhubung. Tagihan Anda akan dibaca pada pengecekan berikutnya.",
    "flash_connected_shared": (
        "Terhubung, tetapi akun Lunas lain juga sudah menghubungkan perusahaan yang sama: pelanggannya bisa "
        "menerima pengingat dari kedua akun. Putuskan koneksinya di akun yang tidak seharusnya mengirimkannya."
    ),
    "flash_disconnected": "Terputus. Tokennya dihapus dan pengingatnya dihentikan.",
    "flash_not_revoked": (
        "Terputus dan tokennya dihapus, tetapi kami tidak dapat menghubungi penyedia untuk mencabut akses: hapus "
        "Lunas di pengaturan aplikasinya."
    ),
    "flash_consent": "Persetujuan tercatat.",
    "flash_queued": "Pengecekan diantrekan untuk koneksi Anda. Hasilnya muncul di sini dalam satu menit.",
    "flash_done": "Pengecekan selesai. Hasilnya ada di bawah.",
    "flash_none": "Tidak ada koneksi yang berjalan.",
    "nav_payments": "Pembayaran",
    "pay_settings": "Cara pelanggan membayar Anda",
    "pay_settings_hint": (
        "Tombol bayar di setiap pengingat membuka halaman Lunas. Jika Xero atau QuickBooks punya halaman pembayaran "
        "online, pelanggan diarahkan ke sana; jika tidak, halaman itu menampilkan tagihannya dan yang Anda atur di "
        'sini. Pelanggan bisa menekan "Saya sudah membayar": Anda melihatnya di ringkasan, dan pengingat untuk '
        "tagihan itu berhenti selama jumlah hari yang Anda pilih."
    ),
    "pay_bank_accounts": "Rekening bank (maksimal 3)",
    "pay_bank_name": "Bank",
    "pay_account_number": "Nomor rekening",
    "pay_account_holder": "Atas nama",
    "pay_virtual_account": "Virtual account (opsional)",
    "pay_e_wallet": "E-wallet (opsional, misalnya nomor dan nama GoPay / OVO)",
    "pay_hold_days": 'Hari pengingat berhenti setelah "Saya sudah membayar"',
    "pay_hold_hint": "Dari 1 sampai {limit} hari. Jika pembayaran belum masuk setelah itu, pengingat berjalan lagi.",
    "pay_qris_none": "Belum ada gambar QRIS.",
    "pay_qris_upload": "Gambar QRIS (PNG atau JPEG, maksimal {limit} KB)",
    "pay_qris_save": "Unggah QRIS",
    "pay_qris_remove": "Hapus QRIS",
    "pay_invalid": "Tidak ada yang disimpan: {problem}.",
    "pay_bank_incomplete": "rekening bank {index} perlu nama bank, nomor rekening, dan nama pemilik rekening",
    "pay_account_number_invalid": (
        "nomor rekening {index} harus berupa angka rekening (boleh dengan spasi atau tanda -)"
    ),
    "pay_hold_days_invalid": (
        'lama jeda setelah "Saya sudah membayar" harus bilangan bulat dari 1 sampai {limit} hari'
    ),
    "pay_too_long": '"{value}…" terlalu panjang (maksimal {limit} karakter)',
    "pay_qris_missing": "pilih gambar QRIS yang akan diunggah",
    "pay_qris_too_large": "gambar QRIS lebih besar dari {limit} KB",
    "pay_qris_not_image": "gambar QRIS harus berupa file PNG atau JPEG",
    "said_paid": "Pelanggan yang bilang sudah membayar",
    "said_paid_hint": 'Mereka menekan "Saya sudah membayar" di halaman pembayaran. Periksa rekening Anda.',
    "said_paid_none": "Belum ada yang bilang sudah membayar.",
    "said_paid_invoice": "Pelanggan bilang sudah membayar pada {when}.",
}

# -- Connect WhatsApp (Embedded Signup) and the number's health: docs/whatsapp-onboarding.md --
_EN.update(
    {
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
)
_ID.update(
    {
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
        "signup_app_not_configured": (
            "Aplikasi Meta milik Lunas belum diatur dengan benar. Mohon hubungi dukungan Lunas."
        ),
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
)

# -- Feedback and safety, the schedule editor (issue 16 items 4 and 6): docs/dashboard.md --
_EN.update(
    {
        "run_sending": "Sending your reminders… this can take a minute.",
        "run_queued": "Your reminders are being sent…",
        "run_pending": "Waiting for {n} connected company(ies) to finish.",
        "run_refresh_hint": "This page updates by itself.",
        "run_refresh": "Refresh",
        "run_done": "Finished. Here is what happened:",
        "run_sent": "Sent: {n}",
        "run_waiting": "Waiting (Lunas tries again by itself later): {n}",
        "run_not_sent": "Not sent: {n}",
        "run_see_invoices": "See every invoice and why",
        "run_problem_reconnect": "A connected company refused our access: reconnect it on the overview page.",
        "run_problem_rate_limited": "The accounting system asked us to slow down; Lunas tries again in a few minutes.",
        "disconnect_title": "Disconnect {name}?",
        "disconnect_what_stops": "Lunas stops reading this company and sends no more reminders for its invoices.",
        "disconnect_tokens": "Our access is revoked at the accounting system and the access tokens are deleted.",
        "disconnect_data": "Its synced invoices and customers are kept for 30 days, then removed.",
        "disconnect_history": "Its invoices are no longer listed as open.",
        "disconnect_again": "You can connect it again at any time.",
        "disconnect_confirm": "Yes, disconnect {name}",
        "disconnect_keep": "No, keep it connected",
        "not_found_title": "Page not found",
        "err_page_not_found": "There is no page at this address. Check the link, or go back to the dashboard.",
        "error_summary": "Please fix the marked fields below.",
        "stages_legend": "When reminders go out",
        "stages_hint": (
            "One row per reminder: how many days before or after the due date, and whether it is on. "
            "Leave a row empty to skip it. Lunas picks the words by the day it is sent."
        ),
        "stage_days": "Days",
        "stage_when": "Before, on or after the due date",
        "stage_row_before": "days before the due date",
        "stage_row_on": "on the due date",
        "stage_row_after": "days after the due date",
        "stage_on": "On",
        "stage_off": "Off",
        "stage_when_before": "{days} days before the due date",
        "stage_when_on": "On the due date",
        "stage_when_after": "{days} days after the due date",
        "stage_previews": "What your customer reads",
        "stage_previews_hint": "An example invoice reaching each reminder today, in both languages.",
        "stage_previews_show": "Show the messages",
        "stage_preview_title": "{when}",
        "stage_message_pre_due": "Message: before the due date",
        "stage_message_due_today": "Message: due today",
        "stage_message_overdue": "Message: overdue",
        "stage_message_statement": "Message: statement of several invoices",
        "skip_holidays": "Business days only: skip public holidays and my days off",
        "skip_holidays_hint": (
            "Public holidays of your country (for Indonesia: Lebaran, Nyepi, Christmas and the others) come from a "
            "maintained calendar. Reminders due that day go on the next working day."
        ),
        "days_off": "My own days off (one date per line, e.g. 2026-12-24)",
        "next_holidays": "Next public holidays:",
        "minimums_legend": "Minimum amounts",
        "minimums_hint": "Invoices below the amount are not reminded. Write it as you like: Rp 50.000, 50,000.00.",
        "currency": "Currency",
        "minimum_amount": "Amount",
        "input_stage_days": "write the number of days as a whole number from 0 to 365",
        "input_stage_when": "choose before, on or after the due date",
        "input_stage_none": "switch on at least one reminder",
        "input_time": "write a time like 09:00",
        "input_window": "the send window must start before it ends",
        "input_weekdays": "pick at least one day",
        "input_language": "choose Bahasa Indonesia or English",
        "input_timezone": "choose your city from the list",
        "input_currency": "choose a currency from the list",
        "input_amount_format": "write an amount, like Rp 50.000 or 50,000",
        "input_amount_currency": "this currency is not known: choose one from the list",
        "input_amount_big": "this amount is too large",
        "input_amount_negative": "the amount cannot be negative",
        "input_day_off": "{day} is not a date: write it like 2026-12-24",
        "input_days_off_many": "give at most {limit} days off",
        "input_phone_number_id": "the phone number ID is the number Meta shows in WhatsApp Manager (digits only)",
        "input_waba_id": "the WhatsApp Business Account ID is digits only",
        "forgot_password": "Forgot your password?",
        "forgot_hint": "Enter your account's e-mail address. We will e-mail you a code to choose a new password.",
        "forgot_send": "E-mail me a code",
        "reset_title": "Choose a new password",
        "reset_hint": "If {email} has a Lunas account, a code is on its way there. Enter it with your new password.",
        "reset_button": "Save the new password",
        "reset_done": "Your password is changed. Sign in with the new one.",
        "new_password": "New password",
        "code": "Code from the e-mail",
        "code_code_wrong": "This code is not right. Check the e-mail, or ask for a new code.",
        "code_code_expired": "This code has expired. Ask for a new one.",
        "code_too_many": "Too many tries. Please wait a few minutes and try again.",
        "code_weak_password": "This password is too weak.",
        "code_invalid": "This code is not right. Check the e-mail, or ask for a new code.",
        "verify_title": "Check your e-mail",
        "verify_hint": "We e-mailed a code to {email}. Enter it to confirm the address, then sign in.",
        "verify_button": "Confirm my e-mail",
        "verify_resend": "Send the code again",
        "verify_resent": "A new code is on its way.",
        "verify_done": "Your e-mail address is confirmed. Sign in to continue.",
        "sandbox_outbox": "Sandbox outbox (no e-mail is sent here): the code for {email} is {code}",
    }
)
_ID.update(
    {
        "run_sending": "Mengirim pengingat Anda… ini bisa memakan waktu semenit.",
        "run_queued": "Pengingat Anda sedang dikirim…",
        "run_pending": "Menunggu {n} perusahaan terhubung selesai.",
        "run_refresh_hint": "Halaman ini diperbarui sendiri.",
        "run_refresh": "Muat ulang",
        "run_done": "Selesai. Ini hasilnya:",
        "run_sent": "Terkirim: {n}",
        "run_waiting": "Menunggu (Lunas mencoba lagi sendiri nanti): {n}",
        "run_not_sent": "Tidak terkirim: {n}",
        "run_see_invoices": "Lihat semua tagihan dan alasannya",
        "run_problem_reconnect": (
            "Salah satu perusahaan terhubung menolak akses kami: hubungkan ulang di halaman ringkasan."
        ),
        "run_problem_rate_limited": (
            "Sistem akuntansi meminta kami melambat; Lunas mencoba lagi dalam beberapa menit."
        ),
        "disconnect_title": "Putuskan koneksi {name}?",
        "disconnect_what_stops": (
            "Lunas berhenti membaca perusahaan ini dan tidak mengirim pengingat lagi untuk tagihannya."
        ),
        "disconnect_tokens": "Akses kami dicabut di sistem akuntansi dan token aksesnya dihapus.",
        "disconnect_data": "Tagihan dan pelanggan yang sudah disalin disimpan 30 hari, lalu dihapus.",
        "disconnect_history": "Tagihannya tidak lagi tampil sebagai belum dibayar.",
        "disconnect_again": "Anda bisa menghubungkannya lagi kapan saja.",
        "disconnect_confirm": "Ya, putuskan koneksi {name}",
        "disconnect_keep": "Tidak, tetap terhubung",
        "not_found_title": "Halaman tidak ditemukan",
        "err_page_not_found": "Tidak ada halaman di alamat ini. Periksa tautannya, atau kembali ke dasbor.",
        "error_summary": "Mohon perbaiki isian yang ditandai di bawah.",
        "stages_legend": "Kapan pengingat dikirim",
        "stages_hint": (
            "Satu baris per pengingat: berapa hari sebelum atau sesudah jatuh tempo, dan apakah aktif. "
            "Kosongkan baris untuk melewatinya. Lunas memilih kata-katanya sesuai hari pengiriman."
        ),
        "stage_days": "Hari",
        "stage_when": "Sebelum, pada, atau sesudah jatuh tempo",
        "stage_row_before": "hari sebelum jatuh tempo",
        "stage_row_on": "pada hari jatuh tempo",
        "stage_row_after": "hari sesudah jatuh tempo",
        "stage_on": "Aktif",
        "stage_off": "Nonaktif",
        "stage_when_before": "{days} hari sebelum jatuh tempo",
        "stage_when_on": "Pada hari jatuh tempo",
        "stage_when_after": "{days} hari sesudah jatuh tempo",
        "stage_previews": "Yang dibaca pelanggan Anda",
        "stage_previews_hint": "Contoh tagihan yang mencapai tiap pengingat hari ini, dalam dua bahasa.",
        "stage_previews_show": "Tampilkan pesannya",
        "stage_preview_title": "{when}",
        "stage_message_pre_due": "Pesan: sebelum jatuh tempo",
        "stage_message_due_today": "Pesan: jatuh tempo hari ini",
        "stage_message_overdue": "Pesan: lewat jatuh tempo",
        "stage_message_statement": "Pesan: ringkasan beberapa tagihan",
        "skip_holidays": "Hanya hari kerja: lewati hari libur nasional dan hari libur saya",
        "skip_holidays_hint": (
            "Hari libur nasional negara Anda (untuk Indonesia: Lebaran, Nyepi, Natal, dan lainnya) diambil dari "
            "kalender yang terus diperbarui. Pengingat pada hari itu dikirim pada hari kerja berikutnya."
        ),
        "days_off": "Hari libur saya sendiri (satu tanggal per baris, mis. 2026-12-24)",
        "next_holidays": "Hari libur nasional berikutnya:",
        "minimums_legend": "Jumlah minimum",
        "minimums_hint": "Tagihan di bawah jumlah ini tidak diingatkan. Tulis sesuka Anda: Rp 50.000, 50.000,00.",
        "currency": "Mata uang",
        "minimum_amount": "Jumlah",
        "input_stage_days": "tulis jumlah hari sebagai bilangan bulat dari 0 sampai 365",
        "input_stage_when": "pilih sebelum, pada, atau sesudah jatuh tempo",
        "input_stage_none": "aktifkan setidaknya satu pengingat",
        "input_time": "tulis jam seperti 09:00",
        "input_window": "jam kirim harus dimulai sebelum berakhir",
        "input_weekdays": "pilih setidaknya satu hari",
        "input_language": "pilih Bahasa Indonesia atau English",
        "input_timezone": "pilih kota Anda dari daftar",
        "input_currency": "pilih mata uang dari daftar",
        "input_amount_format": "tulis jumlah uang, seperti Rp 50.000",
        "input_amount_currency": "mata uang ini tidak dikenal: pilih dari daftar",
        "input_amount_big": "jumlah ini terlalu besar",
        "input_amount_negative": "jumlah tidak boleh negatif",
        "input_day_off": "{day} bukan tanggal: tulis seperti 2026-12-24",
        "input_days_off_many": "isi paling banyak {limit} hari libur",
        "input_phone_number_id": (
            "ID nomor telepon adalah angka yang ditampilkan Meta di WhatsApp Manager (hanya angka)"
        ),
        "input_waba_id": "ID Akun WhatsApp Business hanya berisi angka",
        "forgot_password": "Lupa kata sandi?",
        "forgot_hint": "Masukkan alamat e-mail akun Anda. Kami akan mengirim kode untuk memilih kata sandi baru.",
        "forgot_send": "Kirimi saya kode",
        "reset_title": "Pilih kata sandi baru",
        "reset_hint": (
            "Jika {email} punya akun Lunas, kode sedang dikirim ke sana. Masukkan kode itu bersama kata sandi baru."
        ),
        "reset_button": "Simpan kata sandi baru",
        "reset_done": "Kata sandi Anda sudah diganti. Masuk dengan kata sandi baru.",
        "new_password": "Kata sandi baru",
        "code": "Kode dari e-mail",
        "code_code_wrong": "Kode ini salah. Periksa e-mail Anda, atau minta kode baru.",
        "code_code_expired": "Kode ini sudah kedaluwarsa. Minta kode baru.",
        "code_too_many": "Terlalu banyak percobaan. Tunggu beberapa menit lalu coba lagi.",
        "code_weak_password": "Kata sandi ini terlalu lemah.",
        "code_invalid": "Kode ini salah. Periksa e-mail Anda, atau minta kode baru.",
        "verify_title": "Periksa e-mail Anda",
        "verify_hint": "Kami mengirim kode ke {email}. Masukkan kode itu untuk mengonfirmasi alamat, lalu masuk.",
        "verify_button": "Konfirmasi e-mail saya",
        "verify_resend": "Kirim ulang kode",
        "verify_resent": "Kode baru sedang dikirim.",
        "verify_done": "Alamat e-mail Anda sudah dikonfirmasi. Masuk untuk melanjutkan.",
        "sandbox_outbox": "Kotak keluar sandbox (di sini tidak ada e-mail terkirim): kode untuk {email} adalah {code}",
    }
)
# -- end of items 4 and 6 --

_TABLES = {"en": _EN, "id": _ID}


def translate(lang: str, key: str, **values: object) -> str:
    text = _TABLES.get(lang, _EN).get(key) or _EN.get(key) or key
    return text.format(**values) if values else text


def pick_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """An explicit choice wins, then the remembered one, then the browser's; Indonesian browsers get Indonesian."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return "id" if (accept_language or "").lower().startswith("id") else "en"


def country_from_accept_language(accept_language: str | None, default: str = "ID") -> str:
    """The country the browser's preferred language names (`en-AU,en;q=0.9` -> `AU`; `id` -> `ID`), else `default`.

    Only a suggestion for the sign-up form's country list: the owner sees it and can change it.
    """
    from chalicelib.domain.countries import is_country

    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "")[:1_000].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if 0 < weight <= 1:  # q=0 means "not this one"; NaN and nonsense are dropped too
            ranked.append((-weight, order, tag.strip()))
    for _, _, tag in sorted(ranked):
        language, *subtags = tag.replace("_", "-").split("-")
        for subtag in subtags:
            if len(subtag) == 2 and is_country(subtag.upper()):
                return subtag.upper()
        if language.lower() == "id":
            return "ID"
    return default


# -- WhatsApp templates' status and this month's costs (overview): docs/whatsapp-templates.md, docs/webhooks.md --
_EN.update(
    {
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
)
_ID.update(
    {
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
)


# -- privacy requests by phone number and deleting the organisation (docs/privacy.md) -------------------------------
_EN.update(
    {
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
)
_ID.update(
    {
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
        "delete_org_name_mismatch": (
            "Nama yang diketik tidak persis sama dengan nama usaha Anda; tidak ada yang dihapus."
        ),
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
)


# -- consent the customer owns: history and who changed it (chalicelib/domain/consent_rules.py) ---------------------
_EN.update(
    {
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
)
_ID.update(
    {
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
)


# -- home page (money, this month, needs attention, getting started) and owner-facing words for internal values --
# (docs/dashboard.md "Home" and "Words")
_EN.update(
    {
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
        "todo_send_unconfirmed": (
            "Nothing to do: WhatsApp has not confirmed this send yet. Lunas never sends it twice."
        ),
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
)
_ID.update(
    {
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
            "Enam langkah sampai pengingat pertama Anda sampai. Setiap langkah dicentang begitu Lunas melihatnya "
            "selesai."
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
        "todo_already_sent": (
            "Tidak perlu berbuat apa-apa: pengingat berikutnya dikirim pada langkah jadwal berikutnya."
        ),
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
        "todo_already_messaged_today": (
            "Tidak perlu berbuat apa-apa: satu pesan per pelanggan per hari. Dikirim besok."
        ),
        "todo_template_not_approved": "Tunggu Meta menyetujui template pesannya (lihat halaman Ringkasan).",
        "todo_send_failed": (
            "WhatsApp tidak menerima pesan ini. Periksa nomornya dan peringatan di halaman Ringkasan."
        ),
        "todo_deferred": "Tidak perlu berbuat apa-apa: direncanakan lagi pada pengecekan berikutnya.",
        "todo_messaging_limit": "Tidak perlu berbuat apa-apa: dikirim saat batas harian WhatsApp mengizinkan.",
    }
)

# -- the replies inbox, the customer page, customer search and figures, invoice filters (issue 16 items 2-3) ------
_EN.update(
    {
        "nav_replies": "Replies",
        "replies": "Replies",
        "replies_hint": (
            "What your customers wrote back to the reminders, and what Lunas did about it. Answer them on WhatsApp, "
            "then mark them resolved."
        ),
        "replies_show_open": "Show only replies to read",
        "replies_show_all": "Show resolved replies too",
        "replies_unknown_customer": "Not a customer of a connected company",
        "replies_tapped": "Tapped “{label}”",
        "replies_about": "About",
        "replies_held_until": "reminders held until {date}",
        "replies_lunas_did": "What Lunas did",
        "replies_resolved": "Resolved",
        "replies_unpause": "Send reminders again now (paused until {date})",
        "replies_mark_resolved": "Mark resolved",
        "replies_promise": "Record a promise to pay",
        "replies_promise_date": "The customer will pay by",
        "replies_promise_hint": "No reminder about these invoices is sent until the end of that day.",
        "replies_promise_save": "Save the promise",
        "replies_none": "No replies to read. When a customer writes back, it shows here.",
        "reply_did_opted_out": "Opted out: no more reminders to this number. They were sent a confirmation.",
        "reply_did_already_out": "Nothing: this number had already opted out.",
        "reply_did_opted_in": "Opted in again: reminders to this number may start again.",
        "reply_did_already_in": "Nothing: this number had already opted in.",
        "reply_did_held": "Held the reminders for these invoices until {date} while you check the payment.",
        "reply_did_paused": "Paused reminders to this number until {date} so you can answer.",
        "reply_did_nothing": "Nothing: Lunas could not tell who wrote.",
        "flash_reply_resolved": "Marked resolved.",
        "flash_reply_unpaused": "Reminders to this customer may go again from the next cycle.",
        "flash_reply_promise": "Promise recorded: the reminders wait until that date.",
        "flash_reply_paused": "Reminders to this customer are paused.",
        "flash_reply_chased": "Done: what is due for this customer was sent now (see the timeline below).",
        "flash_reply_chase_queued": "Queued: what is due for this customer goes out in a minute; reload this page.",
        "input_phone_invalid": "That is not a phone number in international form (e.g. +62 812 3456 7890).",
        "promise_date_invalid": "Pick the date from the calendar.",
        "promise_date_range": "Pick a date from today to {days} days from now.",
        "cust_owes": "Owes",
        "cust_owes_nothing": "nothing open",
        "cust_oldest_due": "oldest due {date}",
        "cust_consent_link": "Consent: record an opt-in or opt-out on the customers page",
        "cust_actions": "Reminders to this customer",
        "cust_paused_forever": "Paused until you unpause them.",
        "cust_paused_until": "Paused until {date}.",
        "cust_reply_paused": "Paused until {date} because they replied.",
        "cust_unpause": "Unpause",
        "cust_pause": "Pause reminders",
        "cust_pause_until": "Until (leave empty to pause until you unpause)",
        "cust_pause_hint": "No reminder goes to this customer while paused; their invoices stay listed.",
        "cust_chase_now": "Chase now",
        "cust_chase_hint": (
            "Unpauses this customer and runs their company's reminders now: what is due for them goes out (with "
            "any other reminder of that company due today), within the sending hours and never twice."
        ),
        "cust_open_invoices": "Open invoices",
        "cust_no_open_invoices": "No open invoice.",
        "cust_timeline": "Messages and replies",
        "cust_message_sent": "Reminder",
        "cust_text_not_kept": "The text of this message was not kept (it was sent before Lunas kept it).",
        "cust_they_replied": "They replied",
        "cust_no_messages": "No message sent to this customer yet.",
        "cust_search": "Search by name or phone",
        "cust_search_button": "Search",
        "cust_search_clear": "Show all",
        "cust_search_none": "No customer matches “{q}”.",
        "cust_last_message": "Last message",
        "cust_open_page": "Open",
        "msg_error_131026": (
            "This number cannot receive WhatsApp messages (not on WhatsApp or an old app): check the phone number in "
            "your accounting system."
        ),
        "msg_error_131047": "More than 24 hours since the customer last wrote; Lunas sends only approved templates.",
        "msg_error_131049": "WhatsApp held it back to limit messages to this customer; Lunas tries another day.",
        "msg_error_131050": "The customer stopped business messages on WhatsApp: contact them another way.",
        "msg_error_131021": "This is your own WhatsApp number: put the customer's number in your accounting system.",
        "msg_error_130472": "WhatsApp held this message back for this number; it goes in a later cycle.",
        "msg_error_132001": "The message template is not approved in this language: submit Lunas' templates again.",
        "msg_error_131042": "A payment problem on your WhatsApp Business account: fix the payment method at Meta.",
        "msg_error_368": "Meta has temporarily blocked your WhatsApp account: check it in WhatsApp Manager.",
        "msg_error_other": "WhatsApp refused this message (code {code}). If it keeps happening, contact Lunas support.",
        "inv_filters": "Filter",
        "inv_filter_status": "Status",
        "inv_filter_reason": "Latest reminder",
        "inv_filter_source": "From",
        "inv_filter_any": "All",
        "inv_filter_apply": "Filter",
        "inv_filter_clear": "Clear filters",
        "inv_status_overdue": "Overdue",
        "inv_status_not_overdue": "Not yet due",
        "inv_status_held": "Held (promise or payment to check)",
        "inv_totals": "Total shown",
        "inv_shown": "{count} invoices",
        "inv_held_until": "Reminders held until {date}",
        "source_xero": "Xero",
        "source_quickbooks": "QuickBooks",
    }
)
_ID.update(
    {
        "nav_replies": "Balasan",
        "replies": "Balasan",
        "replies_hint": (
            "Balasan pelanggan atas pengingat, dan apa yang dilakukan Lunas. Jawab mereka di WhatsApp, lalu tandai "
            "selesai."
        ),
        "replies_show_open": "Tampilkan hanya balasan yang belum dibaca",
        "replies_show_all": "Tampilkan juga balasan yang sudah selesai",
        "replies_unknown_customer": "Bukan pelanggan dari perusahaan yang terhubung",
        "replies_tapped": "Menekan “{label}”",
        "replies_about": "Tentang",
        "replies_held_until": "pengingat ditahan sampai {date}",
        "replies_lunas_did": "Yang dilakukan Lunas",
        "replies_resolved": "Selesai",
        "replies_unpause": "Kirim pengingat lagi sekarang (dijeda sampai {date})",
        "replies_mark_resolved": "Tandai selesai",
        "replies_promise": "Catat janji bayar",
        "replies_promise_date": "Pelanggan akan membayar paling lambat",
        "replies_promise_hint": "Tidak ada pengingat untuk tagihan ini sampai akhir hari itu.",
        "replies_promise_save": "Simpan janji",
        "replies_none": "Tidak ada balasan untuk dibaca. Jika pelanggan membalas, balasannya muncul di sini.",
        "reply_did_opted_out": (
            "Berhenti berlangganan: tidak ada pengingat lagi ke nomor ini. Pelanggan sudah dikirimi konfirmasi."
        ),
        "reply_did_already_out": "Tidak ada: nomor ini memang sudah berhenti berlangganan.",
        "reply_did_opted_in": "Berlangganan lagi: pengingat ke nomor ini boleh dikirim lagi.",
        "reply_did_already_in": "Tidak ada: nomor ini memang sudah setuju menerima.",
        "reply_did_held": "Pengingat untuk tagihan ini ditahan sampai {date} selagi Anda memeriksa pembayarannya.",
        "reply_did_paused": "Pengingat ke nomor ini dijeda sampai {date} agar Anda bisa menjawab.",
        "reply_did_nothing": "Tidak ada: Lunas tidak tahu siapa pengirimnya.",
        "flash_reply_resolved": "Ditandai selesai.",
        "flash_reply_unpaused": "Pengingat ke pelanggan ini boleh dikirim lagi mulai pengecekan berikutnya.",
        "flash_reply_promise": "Janji bayar dicatat: pengingat menunggu sampai tanggal itu.",
        "flash_reply_paused": "Pengingat ke pelanggan ini dijeda.",
        "flash_reply_chased": "Selesai: yang jatuh tempo untuk pelanggan ini sudah dikirim (lihat riwayat di bawah).",
        "flash_reply_chase_queued": (
            "Diantrekan: yang jatuh tempo untuk pelanggan ini dikirim dalam semenit; muat ulang halaman ini."
        ),
        "input_phone_invalid": "Itu bukan nomor telepon dalam format internasional (mis. +62 812 3456 7890).",
        "promise_date_invalid": "Pilih tanggal dari kalender.",
        "promise_date_range": "Pilih tanggal antara hari ini dan {days} hari lagi.",
        "cust_owes": "Tagihan terbuka",
        "cust_owes_nothing": "tidak ada",
        "cust_oldest_due": "jatuh tempo terlama {date}",
        "cust_consent_link": "Persetujuan: catat setuju atau berhenti di halaman pelanggan",
        "cust_actions": "Pengingat ke pelanggan ini",
        "cust_paused_forever": "Dijeda sampai Anda melanjutkannya.",
        "cust_paused_until": "Dijeda sampai {date}.",
        "cust_reply_paused": "Dijeda sampai {date} karena pelanggan membalas.",
        "cust_unpause": "Lanjutkan",
        "cust_pause": "Jeda pengingat",
        "cust_pause_until": "Sampai (kosongkan untuk menjeda sampai Anda melanjutkannya)",
        "cust_pause_hint": "Selama dijeda, tidak ada pengingat ke pelanggan ini; tagihannya tetap tampil.",
        "cust_chase_now": "Tagih sekarang",
        "cust_chase_hint": (
            "Melanjutkan pelanggan ini dan menjalankan pengingat perusahaannya sekarang: yang jatuh tempo untuknya "
            "dikirim (bersama pengingat lain dari perusahaan itu yang jatuh tempo hari ini), dalam jam kirim dan "
            "tidak pernah dua kali."
        ),
        "cust_open_invoices": "Tagihan terbuka",
        "cust_no_open_invoices": "Tidak ada tagihan terbuka.",
        "cust_timeline": "Pesan dan balasan",
        "cust_message_sent": "Pengingat",
        "cust_text_not_kept": "Teks pesan ini tidak disimpan (dikirim sebelum Lunas menyimpannya).",
        "cust_they_replied": "Pelanggan membalas",
        "cust_no_messages": "Belum ada pesan ke pelanggan ini.",
        "cust_search": "Cari nama atau nomor telepon",
        "cust_search_button": "Cari",
        "cust_search_clear": "Tampilkan semua",
        "cust_search_none": "Tidak ada pelanggan yang cocok dengan “{q}”.",
        "cust_last_message": "Pesan terakhir",
        "cust_open_page": "Buka",
        "msg_error_131026": (
            "Nomor ini tidak bisa menerima pesan WhatsApp (tidak memakai WhatsApp atau aplikasinya lama): periksa "
            "nomor teleponnya di sistem akuntansi Anda."
        ),
        "msg_error_131047": (
            "Sudah lebih dari 24 jam sejak pelanggan terakhir menulis; Lunas hanya mengirim templat yang disetujui."
        ),
        "msg_error_131049": (
            "WhatsApp menahannya untuk membatasi pesan ke pelanggan ini; Lunas mencoba lagi di hari lain."
        ),
        "msg_error_131050": "Pelanggan menghentikan pesan bisnis di WhatsApp: hubungi dengan cara lain.",
        "msg_error_131021": "Ini nomor WhatsApp Anda sendiri: isi nomor pelanggan di sistem akuntansi Anda.",
        "msg_error_130472": "WhatsApp menahan pesan ini untuk nomor ini; pesan dikirim di pengecekan berikutnya.",
        "msg_error_132001": "Templat pesan belum disetujui dalam bahasa ini: kirim ulang templat Lunas.",
        "msg_error_131042": (
            "Ada masalah pembayaran di akun WhatsApp Business Anda: perbaiki metode pembayaran di Meta."
        ),
        "msg_error_368": "Meta memblokir sementara akun WhatsApp Anda: periksa di WhatsApp Manager.",
        "msg_error_other": "WhatsApp menolak pesan ini (kode {code}). Jika terus terjadi, hubungi dukungan Lunas.",
        "inv_filters": "Saring",
        "inv_filter_status": "Status",
        "inv_filter_reason": "Pengingat terakhir",
        "inv_filter_source": "Dari",
        "inv_filter_any": "Semua",
        "inv_filter_apply": "Saring",
        "inv_filter_clear": "Hapus saringan",
        "inv_status_overdue": "Lewat jatuh tempo",
        "inv_status_not_overdue": "Belum jatuh tempo",
        "inv_status_held": "Ditahan (janji bayar atau pembayaran yang perlu dicek)",
        "inv_totals": "Total yang tampil",
        "inv_shown": "{count} tagihan",
        "inv_held_until": "Pengingat ditahan sampai {date}",
        "source_xero": "Xero",
        "source_quickbooks": "QuickBooks",
    }
)


# -- the public privacy notice, /privacy (chalicelib/web/notice_routes.py; durations: chalicelib/domain/retention.py)
_EN.update(
    {
        "notice_link": "Privacy",
        "notice_signup": "By creating an account you agree that Lunas processes your customers' data as described in",
        "notice_title": "Privacy notice",
        "notice_intro": (
            "Lunas sends WhatsApp reminders about unpaid invoices on behalf of businesses. This page says what Lunas "
            "holds about the businesses' customers and owners, why, for how long, who helps process it, where it is "
            "kept, and how to use your rights under Indonesia's Personal Data Protection Law (UU PDP, Law No. 27 of "
            "2022)."
        ),
        "notice_roles": (
            "The business that sends you reminders decides to message you and is the data controller; Lunas "
            "processes your data on its behalf and only for these reminders. Lunas never sells data or uses it for "
            "advertising."
        ),
        "notice_held_title": "What is held, why, and for how long",
        "notice_col_what": "What and why",
        "notice_col_how_long": "How long",
        "notice_days": "days",
        "notice_row_consent": (
            "Your phone number, whether you agreed to WhatsApp reminders or said STOP, the evidence (what you agreed "
            "to, where and when) and who recorded each change: so a business only messages people who agreed."
        ),
        "notice_from_consent": (
            "While the business uses Lunas: it is the proof that you agreed, and a STOP must never be forgotten. "
            "If you are erased after saying STOP, only a one-way code of your number is kept, so you are never "
            "messaged again."
        ),
        "notice_row_delivery": (
            "Each reminder sent: your phone number, the invoices it was about, and WhatsApp's delivery status: so no "
            "reminder is sent twice and the business can see what was sent."
        ),
        "notice_from_delivery": "from when the reminder was sent (tracking codes: 60 days or less).",
        "notice_row_replies": "Your WhatsApp replies, with their text: so STOP works and the business can answer you.",
        "notice_from_replies": "from when your reply arrived.",
        "notice_row_bsuid": "The WhatsApp user id Meta gives your number: to recognise your replies.",
        "notice_from_bsuid": "from when Lunas first saw it.",
        "notice_row_snapshot": (
            "Customer names, phone numbers and open invoices copied from the business's Xero or QuickBooks: to know "
            "who is due a reminder."
        ),
        "notice_from_snapshot": (
            "after the business disconnects its accounting system. While it is connected, Lunas keeps the latest "
            "copy and updates it every hour."
        ),
        "notice_row_invoice_view": (
            "For each invoice: its number, customer name, amount, due date, and why a reminder was or was not sent."
        ),
        "notice_from_invoice_view": "after the last time Lunas saw the invoice unpaid.",
        "notice_row_payment_link": (
            'Pay links in reminders: the invoices they cover, and whether you pressed "I have paid".'
        ),
        "notice_from_payment_link": "from when the reminder with the link was sent.",
        "notice_row_phone_flag": "Numbers WhatsApp says are not on WhatsApp: so Lunas stops trying them.",
        "notice_from_phone_flag": "then Lunas tries the number once more.",
        "notice_row_pause": "A pause after you reply: so you are not reminded while the business answers you.",
        "notice_from_pause": "after the pause ends.",
        "notice_row_webhook_body": (
            "Messages from WhatsApp, Xero and QuickBooks as they arrive (they may include your number and reply), "
            "while Lunas processes them. They are never stored in the database as they are."
        ),
        "notice_from_webhook_body": "in Lunas' work queue (14 days if processing keeps failing).",
        "notice_row_oauth_state": (
            "A short-lived code while an owner connects Xero or QuickBooks (their Lunas user id)."
        ),
        "notice_from_oauth_state": "after its 10 minutes of validity.",
        "notice_row_account": (
            "The business's account: the owner's e-mail, business details, payment instructions, and encrypted "
            "tokens for Xero, QuickBooks and WhatsApp."
        ),
        "notice_from_account": (
            "While the business uses Lunas. Tokens are deleted when the business disconnects; everything is deleted "
            "when it deletes its organisation."
        ),
        "notice_row_logs": "Lunas' technical logs (no phone numbers, message text or tokens).",
        "notice_deletion_lag": (
            "Expired data is deleted automatically by the database, usually within a few days of its end date."
        ),
        "notice_processors_title": "Who helps process it (subprocessors) and where",
        "notice_processor_aws": (
            "Amazon Web Services (AWS): hosting, database, queues and encryption keys, in region {region}."
        ),
        "notice_processor_meta": "Meta Platforms (WhatsApp Cloud API): sends the reminders and delivers your replies.",
        "notice_processor_xero": "Xero: the business's accounting system, where invoices and customers are read.",
        "notice_processor_intuit": (
            "Intuit QuickBooks: the business's accounting system, where invoices and customers are read."
        ),
        "notice_region": (
            "Lunas keeps its data in AWS region {region} (Asia Pacific, Jakarta, by default). WhatsApp messages pass "
            "through Meta's servers, which may be outside Indonesia."
        ),
        "notice_security": (
            "Provider tokens are encrypted with AWS KMS keys; every business sees only its own data; logs never "
            "contain phone numbers, message text or tokens."
        ),
        "notice_rights_title": "Your rights under UU PDP",
        "notice_rights_intro": "Under Law No. 27 of 2022 on Personal Data Protection you may:",
        "notice_right_information": "know who processes your data, why and how (this page);",
        "notice_right_access": "see the data held about you and get a copy of it;",
        "notice_right_correction": "have wrong or incomplete data corrected;",
        "notice_right_erasure": "have your data deleted, and stop its processing;",
        "notice_right_withdraw": "withdraw your consent to WhatsApp reminders at any time;",
        "notice_right_portability": "receive your data in a common, machine-readable format (JSON);",
        "notice_right_complain": "complain to the authority and claim damages for a violation.",
        "notice_how_title": "How to use them",
        "notice_how_stop": (
            "To stop reminders: reply STOP (or press the stop button) to any reminder. It takes effect at once and "
            "only you can undo it, by replying START."
        ),
        "notice_how_business": (
            "To see, copy, correct or erase your data: ask the business that sent you the reminders (its name is in "
            "every message). It must answer access and correction requests within 3x24 hours."
        ),
        "notice_how_owner": (
            "Business owners: the dashboard's Privacy requests page finds, exports or erases everything held about a "
            "phone number; Settings lets you delete your whole organisation."
        ),
        "notice_contact_title": "Contact",
        "notice_contact": "Questions about this notice or a request Lunas should handle: {contact}.",
        "notice_contact_business": (
            "Contact the business that sent you the reminders; it passes requests to Lunas when needed."
        ),
        "notice_breach": (
            "If a breach ever affects your data, you and the authority are told in writing within 3x24 hours, as "
            "UU PDP requires."
        ),
    }
)
_ID.update(
    {
        "notice_link": "Privasi",
        "notice_signup": "Dengan membuat akun, Anda setuju Lunas memproses data pelanggan Anda seperti dijelaskan di",
        "notice_title": "Pemberitahuan privasi",
        "notice_intro": (
            "Lunas mengirim pengingat tagihan yang belum dibayar lewat WhatsApp atas nama usaha. Halaman ini "
            "menjelaskan data apa yang disimpan Lunas tentang pelanggan dan pemilik usaha, untuk apa, berapa lama, "
            "siapa yang membantu memprosesnya, di mana disimpan, dan cara memakai hak Anda menurut Undang-Undang "
            "Pelindungan Data Pribadi (UU PDP, UU No. 27 Tahun 2022)."
        ),
        "notice_roles": (
            "Usaha yang mengirimi Anda pengingat memutuskan untuk menghubungi Anda dan menjadi pengendali data; Lunas "
            "memproses data Anda atas nama usaha itu dan hanya untuk pengingat ini. Lunas tidak pernah menjual data "
            "atau memakainya untuk iklan."
        ),
        "notice_held_title": "Data yang disimpan, untuk apa, dan berapa lama",
        "notice_col_what": "Data dan tujuannya",
        "notice_col_how_long": "Berapa lama",
        "notice_days": "hari",
        "notice_row_consent": (
            "Nomor telepon Anda, apakah Anda setuju menerima pengingat WhatsApp atau membalas STOP, buktinya (apa "
            "yang disetujui, di mana dan kapan) dan siapa yang mencatat setiap perubahan: agar usaha hanya mengirim "
            "pesan kepada orang yang setuju."
        ),
        "notice_from_consent": (
            "Selama usaha memakai Lunas: ini bukti bahwa Anda setuju, dan STOP tidak boleh dilupakan. Jika data Anda "
            "dihapus setelah membalas STOP, hanya kode satu arah dari nomor Anda yang disimpan, agar Anda tidak "
            "pernah dikirimi pesan lagi."
        ),
        "notice_row_delivery": (
            "Setiap pengingat yang dikirim: nomor telepon Anda, tagihan yang dibahas, dan status pengiriman dari "
            "WhatsApp: agar tidak ada pengingat yang terkirim dua kali dan usaha bisa melihat apa yang dikirim."
        ),
        "notice_from_delivery": "sejak pengingat dikirim (kode pelacakan: 60 hari atau kurang).",
        "notice_row_replies": (
            "Balasan WhatsApp Anda, beserta isinya: agar STOP berfungsi dan usaha bisa menjawab Anda."
        ),
        "notice_from_replies": "sejak balasan Anda diterima.",
        "notice_row_bsuid": "ID pengguna WhatsApp yang diberikan Meta untuk nomor Anda: untuk mengenali balasan Anda.",
        "notice_from_bsuid": "sejak Lunas pertama kali melihatnya.",
        "notice_row_snapshot": (
            "Nama pelanggan, nomor telepon dan tagihan terbuka yang disalin dari Xero atau QuickBooks milik usaha: "
            "untuk mengetahui siapa yang perlu diingatkan."
        ),
        "notice_from_snapshot": (
            "setelah usaha memutus sistem akuntansinya. Selama masih terhubung, Lunas menyimpan salinan terbaru dan "
            "memperbaruinya setiap jam."
        ),
        "notice_row_invoice_view": (
            "Untuk setiap tagihan: nomornya, nama pelanggan, jumlah, jatuh tempo, dan alasan pengingat dikirim atau "
            "tidak."
        ),
        "notice_from_invoice_view": "setelah terakhir kali Lunas melihat tagihan itu belum dibayar.",
        "notice_row_payment_link": (
            'Tautan pembayaran di pengingat: tagihan yang dicakup, dan apakah Anda menekan "Saya sudah bayar".'
        ),
        "notice_from_payment_link": "sejak pengingat dengan tautan itu dikirim.",
        "notice_row_phone_flag": "Nomor yang menurut WhatsApp tidak memakai WhatsApp: agar Lunas berhenti mencobanya.",
        "notice_from_phone_flag": "lalu Lunas mencoba nomor itu sekali lagi.",
        "notice_row_pause": "Jeda setelah Anda membalas: agar Anda tidak diingatkan selagi usaha menjawab Anda.",
        "notice_from_pause": "setelah jeda berakhir.",
        "notice_row_webhook_body": (
            "Pesan dari WhatsApp, Xero dan QuickBooks saat tiba (bisa berisi nomor dan balasan Anda), selama Lunas "
            "memprosesnya. Pesan itu tidak pernah disimpan apa adanya di basis data."
        ),
        "notice_from_webhook_body": "di antrean kerja Lunas (14 hari jika pemrosesan terus gagal).",
        "notice_row_oauth_state": (
            "Kode sementara saat pemilik menghubungkan Xero atau QuickBooks (ID pengguna Lunas-nya)."
        ),
        "notice_from_oauth_state": "setelah masa berlakunya yang 10 menit.",
        "notice_row_account": (
            "Akun usaha: e-mail pemilik, data usaha, petunjuk pembayaran, dan token Xero, QuickBooks dan WhatsApp "
            "yang dienkripsi."
        ),
        "notice_from_account": (
            "Selama usaha memakai Lunas. Token dihapus saat usaha memutus koneksi; semuanya dihapus saat usaha "
            "menghapus organisasinya."
        ),
        "notice_row_logs": "Log teknis Lunas (tanpa nomor telepon, isi pesan atau token).",
        "notice_deletion_lag": (
            "Data yang sudah habis masa simpannya dihapus otomatis oleh basis data, biasanya dalam beberapa hari."
        ),
        "notice_processors_title": "Siapa yang membantu memprosesnya (subprosesor) dan di mana",
        "notice_processor_aws": (
            "Amazon Web Services (AWS): hosting, basis data, antrean dan kunci enkripsi, di region {region}."
        ),
        "notice_processor_meta": (
            "Meta Platforms (WhatsApp Cloud API): mengirim pengingat dan menyampaikan balasan Anda."
        ),
        "notice_processor_xero": "Xero: sistem akuntansi usaha, tempat tagihan dan pelanggan dibaca.",
        "notice_processor_intuit": "Intuit QuickBooks: sistem akuntansi usaha, tempat tagihan dan pelanggan dibaca.",
        "notice_region": (
            "Lunas menyimpan datanya di region AWS {region} (Asia Pasifik, Jakarta, secara bawaan). Pesan WhatsApp "
            "melewati server Meta, yang bisa berada di luar Indonesia."
        ),
        "notice_security": (
            "Token penyedia dienkripsi dengan kunci AWS KMS; setiap usaha hanya melihat datanya sendiri; log tidak "
            "pernah berisi nomor telepon, isi pesan atau token."
        ),
        "notice_rights_title": "Hak Anda menurut UU PDP",
        "notice_rights_intro": "Menurut UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Anda berhak:",
        "notice_right_information": "mengetahui siapa yang memproses data Anda, untuk apa dan bagaimana (halaman ini);",
        "notice_right_access": "melihat data tentang Anda dan mendapatkan salinannya;",
        "notice_right_correction": "meminta data yang salah atau tidak lengkap diperbaiki;",
        "notice_right_erasure": "meminta data Anda dihapus, dan pemrosesannya dihentikan;",
        "notice_right_withdraw": "menarik persetujuan menerima pengingat WhatsApp kapan saja;",
        "notice_right_portability": "menerima data Anda dalam format umum yang dapat dibaca mesin (JSON);",
        "notice_right_complain": "mengadu kepada lembaga yang berwenang dan menuntut ganti rugi atas pelanggaran.",
        "notice_how_title": "Cara memakainya",
        "notice_how_stop": (
            "Untuk menghentikan pengingat: balas STOP (atau tekan tombol berhenti) pada pengingat mana pun. Langsung "
            "berlaku dan hanya Anda yang bisa membatalkannya, dengan membalas MULAI."
        ),
        "notice_how_business": (
            "Untuk melihat, menyalin, memperbaiki atau menghapus data Anda: hubungi usaha yang mengirimi Anda "
            "pengingat (namanya ada di setiap pesan). Usaha wajib menjawab permintaan akses dan perbaikan dalam "
            "3x24 jam."
        ),
        "notice_how_owner": (
            "Pemilik usaha: halaman Permintaan privasi di dasbor menemukan, mengekspor atau menghapus semua data "
            "tentang sebuah nomor; di Pengaturan Anda bisa menghapus seluruh organisasi."
        ),
        "notice_contact_title": "Kontak",
        "notice_contact": "Pertanyaan tentang pemberitahuan ini atau permintaan yang perlu ditangani Lunas: {contact}.",
        "notice_contact_business": (
            "Hubungi usaha yang mengirimi Anda pengingat; usaha itu meneruskan permintaan ke Lunas bila perlu."
        ),
        "notice_breach": (
            "Jika terjadi kebocoran yang mengenai data Anda, Anda dan lembaga yang berwenang diberi tahu secara "
            "tertulis dalam 3x24 jam, sesuai UU PDP."
        ),
    }
)

# -- the audit log ("Activity"), the owner's export, removing the WhatsApp number (docs/privacy.md) -----------------
_EN.update(
    {
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
    }
)
_ID.update(
    {
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
        "export_settings_hint": (
            "Unduh pelanggan, persetujuan, pesan, balasan, dan catatan aktivitas (JSON atau CSV)."
        ),
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
    }
)

# -- notifications: duplicate chasing, the daily summary (docs/dashboard.md "Notifications") --------------------------
_EN.update(
    {
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
        "digest_why": (
            "You get this e-mail every morning at 8. Switch it off in Lunas: Settings → Daily summary e-mail."
        ),
        "digest_setting": "Daily summary e-mail",
        "digest_setting_on": (
            "E-mail me a summary every morning at 8 (yesterday's reminders and what needs attention)"
        ),
        "digest_setting_to": "It goes to {email}.",
        "digest_setting_save": "Save",
        "attention_own_reminders": (
            "Xero is also sending its own payment reminders for {name}: switch them off in Xero (Business settings → "
            "Invoice reminders) so customers are not chased twice."
        ),
    }
)
_ID.update(
    {
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
)
