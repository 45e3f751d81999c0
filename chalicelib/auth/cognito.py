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


class NotVerified(SignInFailed):
    """The account exists but its e-mail address is not verified yet (the pool sends a code at sign-up)."""


class CodeRefused(LunasError):
    """A verification or password-reset code, or a new password, Cognito refused; `kind` says which."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # code_wrong | code_expired | weak_password | too_many | invalid


@dataclass(frozen=True, slots=True)
class NewUser:
    sub: str
    email: str
    confirmed: bool = True  # False: the pool e-mailed a verification code (AutoVerifiedAttributes on AWS)


# The sandbox's outbox: moto cannot send e-mail and returns a password-reset code in its own response header
# (`x-moto-forgot-password-confirmation-code`, moto/cognitoidp/responses.py), which real Cognito never sends; the
# code is kept here for the sandbox's reset page to show. On AWS it stays empty: Cognito e-mails the code.
LOCAL_OUTBOX: dict[str, str] = {}
_MOTO_CODE_HEADER = "x-moto-forgot-password-confirmation-code"
_CODE_ERRORS = {
    "CodeMismatchException": "code_wrong",
    "ExpiredCodeException": "code_expired",
    "InvalidPasswordException": "weak_password",
    "LimitExceededException": "too_many",
    "TooManyFailedAttemptsException": "too_many",
    "TooManyRequestsException": "too_many",
}


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
        """Create the account. A pool that verifies e-mail (AWS: `AutoVerifiedAttributes=["email"]`, see
        docs/dashboard.md) e-mails a code and the account waits for it (`confirm_sign_up`); a pool that does not
        (the sandbox) is confirmed here."""
        try:
            answer = self.client.sign_up(
                ClientId=self._client_id,
                Username=email,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
            )
            confirmed = bool(answer.get("UserConfirmed")) or "CodeDeliveryDetails" not in answer
            if confirmed and not answer.get("UserConfirmed"):
                self.client.admin_confirm_sign_up(UserPoolId=self._pool, Username=email)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            kinds = {"UsernameExistsException": "exists", "InvalidPasswordException": "weak_password"}
            raise SignUpRefused(f"sign-up refused: {code}", kind=kinds.get(code, "invalid")) from None
        return NewUser(sub=str(answer["UserSub"]), email=email, confirmed=confirmed)

    def confirm_sign_up(self, email: str, code: str) -> None:
        """The code the pool e-mailed at sign-up (ConfirmSignUp)."""
        self._with_code(
            lambda: self.client.confirm_sign_up(ClientId=self._client_id, Username=email, ConfirmationCode=code)
        )

    def resend_code(self, email: str) -> None:
        """E-mail the sign-up code again (ResendConfirmationCode); an unknown address looks the same."""
        self._quietly(lambda: self.client.resend_confirmation_code(ClientId=self._client_id, Username=email))

    def forgot_password(self, email: str) -> None:
        """Ask Cognito to e-mail a reset code (ForgotPassword). Whether the address has an account is never told."""
        answer = self._quietly(lambda: self.client.forgot_password(ClientId=self._client_id, Username=email))
        headers = (answer or {}).get("ResponseMetadata", {}).get("HTTPHeaders", {})
        code = str(headers.get(_MOTO_CODE_HEADER) or "")
        if code.startswith("moto-confirmation-code:"):  # the sandbox only (see LOCAL_OUTBOX)
            LOCAL_OUTBOX[email] = code

    def confirm_forgot_password(self, email: str, code: str, new_password: str) -> None:
        """Set the new password with the e-mailed code (ConfirmForgotPassword)."""
        self._with_code(
            lambda: self.client.confirm_forgot_password(
                ClientId=self._client_id, Username=email, ConfirmationCode=code, Password=new_password
            )
        )
        LOCAL_OUTBOX.pop(email, None)

    def _with_code(self, call: Any) -> None:
        try:
            call()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            kind = _CODE_ERRORS.get(
                code, "code_wrong" if code in _REFUSED_SIGN_INS | {"ResourceNotFoundException"} else ""
            )
            if not kind:
                raise
            raise CodeRefused(f"code refused: {code}", kind=kind) from None

    def _quietly(self, call: Any) -> Any:
        """A request whose failure for an unknown address must look like success (no account enumeration)."""
        try:
            return call()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("LimitExceededException", "TooManyRequestsException"):
                raise CodeRefused(f"refused: {code}", kind="too_many") from None
            if code in ("UserNotFoundException", "InvalidParameterException", "NotAuthorizedException",
                        "ResourceNotFoundException"):  # fmt: skip
                return None
            raise

    def delete_user(self, user_sub: str) -> None:
        """Delete the account (the organisation is being deleted); one already gone is fine (a retried deletion)."""
        if not user_sub or not all(c.isalnum() or c == "-" for c in user_sub):
            return  # a sub is a UUID: anything else could not be one of our users (and must not reach the filter)
        found = self.client.list_users(UserPoolId=self._pool, Filter=f'sub = "{user_sub}"', Limit=1).get("Users", [])
        for user in found:
            try:
                self.client.admin_delete_user(UserPoolId=self._pool, Username=user["Username"])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code", "") != "UserNotFoundException":
                    raise

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
            if code == "UserNotConfirmedException":
                raise NotVerified("the e-mail address is not verified yet") from None
            if code in _REFUSED_SIGN_INS:
                raise SignInFailed("wrong e-mail or password") from None
            raise
        result = answer.get("AuthenticationResult") or {}
        if "IdToken" not in result:
            raise SignInFailed("the account needs another step (e.g. a new password) before signing in")
        return str(result["IdToken"])
