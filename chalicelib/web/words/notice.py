"""The public privacy notice, /privacy (durations: chalicelib/domain/retention.py)."""

from __future__ import annotations

EN: dict[str, str] = {
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
    "notice_row_oauth_state": ("A short-lived code while an owner connects Xero or QuickBooks (their Lunas user id)."),
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

ID: dict[str, str] = {
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
    "notice_row_replies": ("Balasan WhatsApp Anda, beserta isinya: agar STOP berfungsi dan usaha bisa menjawab Anda."),
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
        "Untuk setiap tagihan: nomornya, nama pelanggan, jumlah, jatuh tempo, dan alasan pengingat dikirim atau tidak."
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
    "notice_processor_meta": ("Meta Platforms (WhatsApp Cloud API): mengirim pengingat dan menyampaikan balasan Anda."),
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
