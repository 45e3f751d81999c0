"""Encrypts secrets (OAuth tokens, the WhatsApp access token) with KMS before they touch DynamoDB.

Envelope encryption: each secret gets its own 256-bit data key from `GenerateDataKey`; the secret is sealed locally
with AES-GCM and only the KMS-encrypted data key is stored next to it. KMS never sees the secret, a secret of any
size fits, and the key never leaves KMS unencrypted.

The encryption context names the organisation and the item. It is bound twice: KMS refuses to decrypt the data key
under any other context, and the same context is the AES-GCM associated data. So a blob copied to another
organisation's (or another connection's) item cannot be decrypted there.

Blob layout (version 1): b"LE1" | 2-byte length of the encrypted data key | encrypted data key | 12-byte nonce |
AES-GCM ciphertext + tag. Blobs without the prefix are read as plain KMS ciphertexts (written by the first
version of this module), so stored tokens keep working.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.domain.errors import LunasError

_MAGIC = b"LE1"
_NONCE_BYTES = 12


class DecryptionFailed(LunasError):
    """The blob is damaged or belongs to another organisation or item."""


def _aad(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


class KmsCipher:
    def __init__(self, key_id: str, client: Any = None) -> None:
        self._key_id = key_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from chalicelib import aws

            self._client = aws.client("kms")
        return self._client

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        data_key = self.client.generate_data_key(KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=context)
        wrapped = bytes(data_key["CiphertextBlob"])
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(bytes(data_key["Plaintext"])).encrypt(nonce, plaintext, _aad(context))
        return _MAGIC + struct.pack(">H", len(wrapped)) + wrapped + nonce + sealed

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        if not ciphertext.startswith(_MAGIC):
            return self._kms_decrypt(ciphertext, context)  # a version-0 blob: the secret itself, KMS-encrypted
        try:
            (length,) = struct.unpack(">H", ciphertext[3:5])
            wrapped = ciphertext[5 : 5 + length]
            nonce = ciphertext[5 + length : 5 + length + _NONCE_BYTES]
            sealed = ciphertext[5 + length + _NONCE_BYTES :]
        except struct.error as exc:
            raise DecryptionFailed("damaged ciphertext") from exc
        data_key = self._kms_decrypt(wrapped, context)
        try:
            return AESGCM(data_key).decrypt(nonce, sealed, _aad(context))
        except Exception as exc:  # cryptography's InvalidTag, or a malformed nonce
            raise DecryptionFailed("ciphertext does not match its context") from exc

    def _kms_decrypt(self, blob: bytes, context: dict[str, str]) -> bytes:
        from botocore.exceptions import ClientError

        try:
            result = self.client.decrypt(CiphertextBlob=blob, EncryptionContext=context)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise DecryptionFailed("KMS refused the ciphertext for this context") from None
            raise
        return bytes(result["Plaintext"])
