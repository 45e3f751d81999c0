"""Encrypts secrets (OAuth tokens, the WhatsApp access token) with KMS before they touch DynamoDB.

The encryption context names the organisation and the item, so a ciphertext copied to another organisation's item
cannot be decrypted there: KMS refuses a context that differs from the one used to encrypt.
"""

from __future__ import annotations

from typing import Any

import boto3


class KmsCipher:
    def __init__(self, key_id: str, client: Any = None) -> None:
        self._key_id = key_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("kms")
        return self._client

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        result = self.client.encrypt(KeyId=self._key_id, Plaintext=plaintext, EncryptionContext=context)
        return bytes(result["CiphertextBlob"])

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        result = self.client.decrypt(CiphertextBlob=ciphertext, EncryptionContext=context)
        return bytes(result["Plaintext"])
