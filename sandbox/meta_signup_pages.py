"""The fake Meta's stand-in for the Facebook JS SDK and the Embedded Signup popup (served by `sandbox/meta.py`).

Real flow (https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/implementation):
the page loads `https://connect.facebook.net/en_US/sdk.js`, which calls `window.fbAsyncInit`; the page calls
`FB.init({appId, version})` and `FB.login(callback, {config_id, response_type: 'code',
override_default_response_type: true, extras: {setup: {}, featureType: '', sessionInfoVersion: '3'}})`. Meta's popup
posts a message to the page (a JSON string: `{"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data":
{"phone_number_id", "waba_id", "business_id"}}`, or `"event": "CANCEL"` with `data.current_step`, or with
`data.error_message`) and the SDK calls `callback({authResponse: {code, ...}, status: "connected"})` (`authResponse`
null when the owner closed the popup).

Here `sdk.js` defines the same `FB.init` / `FB.login`; `FB.login` opens `/_sandbox/meta/signup` (a form: pick one of
the fake's numbers or create one) whose answer page posts the same message to the opener, then the code to the SDK,
and closes itself.
"""

from __future__ import annotations

import html
import json
from typing import Any

SDK_JS = """
(function () {
  var base = %(base)s;
  var settings = {};
  var pending = null;
  window.addEventListener('message', function (event) {
    if (event.origin !== base || !pending) return;
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (data.type !== 'FAKE_FB_LOGIN') return;
    var callback = pending; pending = null;
    callback(data.code ? {status: 'connected', authResponse: {code: data.code, userID: data.user_id,
      expiresIn: 0, signedRequest: '', graphDomain: 'facebook', data_access_expiration_time: 0}}
      : {status: 'unknown', authResponse: null});
  });
  window.FB = {
    init: function (options) { settings = options || {}; },
    login: function (callback, options) {
      options = options || {};
      var query = new URLSearchParams({
        app_id: settings.appId || '', version: settings.version || '', config_id: options.config_id || '',
        response_type: options.response_type || '',
        session_info_version: ((options.extras || {}).sessionInfoVersion) || '',
        origin: window.location.origin
      });
      pending = callback;
      window.open(base + '/_sandbox/meta/signup?' + query.toString(), 'fake-meta-signup', 'width=600,height=720');
    }
  };
  if (typeof window.fbAsyncInit === 'function') { window.fbAsyncInit(); }
})();
"""

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:32rem}label{display:block;margin:.6rem 0 .2rem}"
    "input,select{width:100%;padding:.5rem}button{margin:.8rem .4rem 0 0;padding:.5rem 1rem}"
)


def sdk_js(base: str) -> str:
    return SDK_JS % {"base": json.dumps(base)}


def signup_page(query: dict[str, str], numbers: list[dict[str, Any]], error: str = "") -> str:
    """The popup: who the app is, the numbers this tester may share, or a new one."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in sorted(query.items())
    )
    options = "".join(
        f'<option value="{html.escape(n["phone_number_id"])}">{html.escape(n["display_phone_number"])} · '
        f"{html.escape(n['verified_name'])}</option>"
        for n in numbers
    )
    problem = f'<p id="error" style="color:#b42318">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Fake Meta · Embedded Signup</title>
<style>{_STYLE}</style></head><body>
<h1>Connect WhatsApp to app {html.escape(query.get("app_id", ""))}</h1>{problem}
<form method="post" action="/_sandbox/meta/signup">{hidden}
<label for="existing">Share a number you already have</label>
<select id="existing" name="existing"><option value="">A new number (below)</option>{options}</select>
<label for="display_phone_number">New number</label>
<input id="display_phone_number" name="display_phone_number" value="+62 21 5000 0000">
<label for="verified_name">Business name shown in WhatsApp</label>
<input id="verified_name" name="verified_name" value="Toko Sandbox">
<button id="finish" type="submit" name="action" value="finish">Finish</button>
<button id="cancel" type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>"""


def answer_page(origin: str, message: dict[str, Any], code: str | None, user_id: str = "") -> str:
    """What the popup does when it closes: the session message to the page, then the code to the SDK."""
    script = (
        "var o = window.opener;"
        f"if (o) {{ o.postMessage({json.dumps(json.dumps(message))}, {json.dumps(origin)});"
        f" o.postMessage({json.dumps(json.dumps({'type': 'FAKE_FB_LOGIN', 'code': code, 'user_id': user_id}))},"
        f" {json.dumps(origin)}); }}"
        "window.close();"
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Done</title></head><body>'
        f"<p id=done>{html.escape(str(message.get('event', '')))}</p><script>{script}</script></body></html>"
    )
