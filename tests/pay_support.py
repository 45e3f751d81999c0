"""Reading the pay page as the customer reads it, and the owner's payment instructions used by the pay-page tests."""

from __future__ import annotations

import struct
import zlib
from html.parser import HTMLParser

# What the owner types on /settings/payments (form field -> value).
BANK_DETAILS = {
    "bank_1_name": "BCA",
    "bank_1_number": "123 456 7890",
    "bank_1_holder": "PT Maju Bersama",
    "bank_2_name": "Mandiri",
    "bank_2_number": "137-00-1234567-8",
    "bank_2_holder": "Budi Hartono",
    "bank_3_name": "",
    "bank_3_number": "",
    "bank_3_holder": "",
    "virtual_account": "BCA Virtual Account 39010 0812 3456 7001",
    "e_wallet": "GoPay 0812-3456-7890 (PT Maju Bersama)",
    "claim_hold_days": "7",
}


class _Text(HTMLParser):
    """The words a browser shows: text outside <style>, <script> and <title>, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def tiny_png(size: int = 29, trailing: bytes = b"", *, scale: int = 1) -> bytes:
    """A real PNG (a QR-like black-and-white grid of `size` modules, `scale` pixels each), then `trailing` bytes
    after IEND (image viewers ignore them)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    pixels = size * scale
    rows = b"".join(
        b"\x00" + bytes(0 if ((x // scale) * (y // scale) + x // scale) % 3 == 0 else 255 for x in range(pixels))
        for y in range(pixels)
    )
    header = struct.pack(">IIBBBBB", pixels, pixels, 8, 0, 0, 0, 0)  # 8-bit greyscale
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return png + trailing
