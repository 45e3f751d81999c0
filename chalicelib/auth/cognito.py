"""Cognito user-pool accounts through botocore `cognito-idp`: sign-up and USER_PASSWORD_AUTH sign-in.

Cognito errors are translated into the few outcomes a person can act on; nothing here logs a password or a token.
The e-mail address is the username (the pool uses `UsernameAttributes=["email"]`); users are keyed on `sub`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import LunasError


class SignInFailed(LunasError):
    """Wrong e-mail or password (Cognito does not say which, and neither do we)."""


class SignUpRefused(LunasError):
    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # exists | weak_password | invalid


@dataclass(frozen=True, slots=True)
class NewUser:
    sub: str
    email: str


# What a sign-in form can cause: wrong credentials, or an e-mail or password Cognito refuses to even look at
# (InvalidParameterException: too long, or characters a username cannot have). Anything else is our problem.
_REFUSED_SIGN_INS = frozenset(
    {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException", "InvalidParameterException"}
)


class CognitoUsers:
    def __init__(self, *, user_pool_id: str, client_id: str, client: Any = None) -> None:
        self._pool = user_pool_id
        self._client_id = client_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from chalicelib import aws

            self._client = aws.client("cognito-idp")
        return self._client

    def sign_up(self, email: str, password: str) -> NewUser:
        """Create and confirm the account. E-mail verification is a pool setting on AWS (see docs/dashboard.md)."""
        try:
            answer = self.client.sign_up(
                ClientId=self._client_id,
                Username=email,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
            )
            self.client.admin_confirm_sign_up(UserPoolId=self._pool, Username=email)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            kinds = {"UsernameExistsException": "exists", "InvalidPasswordException": "weak_password"}
            raise SignUpRefused(f"sign-up refused: {code}", kind=kinds.get(code, "invalid")) from None
        return NewUser(sub=str(answer["UserSub"]), email=email)

    def sign_in(self, email: str, password: str) -> str:
        """The ID token for these credentials."""
        try:
            answer = self.client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _REFUSED_SIGN_INS:
                raise SignInFailed("wrong e-mail or password") from None
            raise
        result = answer.get("AuthenticationResult") or {}
        if "IdToken" not in result:
            raise SignInFailed("the account needs another step (e.g. a new password) before signing in")
        return str(result["IdToken"])
