"""Sign-in, the overview, customers, invoices, settings and the pay page: the first words of the dashboard."""

from __future__ import annotations

EN: dict[str, str] = {
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

ID: dict[str, str] = {
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
