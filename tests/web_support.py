"""An HTTP client that behaves like a browser towards the dashboard: cookies, CSRF tokens from forms, redirects."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

PASSWORD = "Sandbox-Pass1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def new_email(tag: str = "owner") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.co.id"


@dataclass
class WebClient:
    base: str
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(self._url(path), timeout=30, **kwargs)

    def csrf(self, page: str) -> str:
        match = _CSRF.search(self.get(page).text)
        assert match, f"no form with a CSRF token on {page}"
        return match.group(1)

    def post(self, path: str, data: dict[str, Any], *, csrf_from: str | None = None) -> requests.Response:
        form = dict(data)
        if csrf_from is not None:
            form["csrf_token"] = self.csrf(csrf_from)
        return self.session.post(self._url(path), data=form, allow_redirects=False, timeout=60)

    def follow(self, response: requests.Response) -> requests.Response:
        """Follow one redirect (another server's URL stays as is)."""
        location = response.headers["Location"]
        return self.session.get(self._url(location), allow_redirects=False, timeout=30)

    def sign_up(self, email: str, business: str = "Toko Sumber Rejeki", password: str = PASSWORD) -> requests.Response:
        data = {"email": email, "password": password, "business_name": business}
        return self.post("/signup", data, csrf_from="/signup")

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post("/signin", {"email": email, "password": password}, csrf_from="/signin")

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path


def org_of(email: str) -> str:
    """The organisation an account belongs to (read like the app does: Cognito sub -> membership)."""
    import boto3

    from chalicelib.adapters.dynamo_web import DynamoMemberships
    from chalicelib.config import load_settings

    attrs = boto3.client("cognito-idp").admin_get_user(UserPoolId=load_settings().cognito_user_pool_id, Username=email)
    sub = next(a["Value"] for a in attrs["UserAttributes"] if a["Name"] == "sub")
    membership = DynamoMemberships().for_user(sub)
    assert membership is not None
    return membership.org_id
