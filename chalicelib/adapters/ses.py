"""E-mail through Amazon SES (API v2 `SendEmail`, a simple message with a text and an HTML part).

https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html. The sender address must be a verified SES
identity (the sandbox verifies it at start-up, sandbox/aws.py); the client comes from chalicelib/aws.py.
"""

from __future__ import annotations


class SesMailSender:
    """`chalicelib.ports.MailSender` over SES v2."""

    def send(self, *, sender: str, to: str, subject: str, text: str, html: str) -> str:
        from chalicelib import aws  # botocore's client, built on first use (not at import time)

        answer = aws.client("sesv2").send_email(
            FromEmailAddress=sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
                }
            },
        )
        return str(answer.get("MessageId", ""))
