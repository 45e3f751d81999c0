// Connect WhatsApp: Meta's Embedded Signup (v4) on the settings page. See docs/whatsapp-onboarding.md.
// https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/implementation
// FB.login gives the code (callback); the WA_EMBEDDED_SIGNUP message gives the phone number id and WABA id. Both
// may come in either order; once both are here the form posts them (with its CSRF token) to /settings/whatsapp/signup.
(function () {
  'use strict';
  var box = document.getElementById('wa-signup');
  if (!box) { return; }
  var button = document.getElementById('connect-whatsapp');
  var form = document.getElementById('wa-signup-form');
  var status = document.getElementById('wa-signup-status');
  var sdkUrl = box.getAttribute('data-sdk-url');
  var sdkOrigin = new URL(sdkUrl, window.location.href).origin;
  var session = null;
  var code = null;

  function fromMeta(origin) {
    if (origin === sdkOrigin) { return true; }
    try {
      var url = new URL(origin);
      return url.protocol === 'https:' && (url.hostname === 'facebook.com' || url.hostname.endsWith('.facebook.com'));
    } catch (e) {
      return false;
    }
  }

  function cancelled(text) {
    status.textContent = text || box.getAttribute('data-cancelled');
    button.disabled = false;
    session = null;
    code = null;
  }

  function submitWhenReady() {
    if (!session || !code) { return; }
    form.elements.code.value = code;
    form.elements.phone_number_id.value = session.phone_number_id || '';
    form.elements.waba_id.value = session.waba_id || '';
    form.submit();
  }

  window.addEventListener('message', function (event) {
    if (!fromMeta(event.origin)) { return; }
    var data;
    try {
      data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch (e) {
      return;
    }
    if (!data || data.type !== 'WA_EMBEDDED_SIGNUP') { return; }
    if (data.event === 'FINISH' && data.data && data.data.phone_number_id) {
      session = data.data;
      submitWhenReady();
    } else if (data.event === 'CANCEL') {
      cancelled((data.data && data.data.error_message) || '');
    }
  });

  window.fbAsyncInit = function () {
    FB.init({
      appId: box.getAttribute('data-app-id'),
      autoLogAppEvents: true,
      xfbml: true,
      version: box.getAttribute('data-graph-version')
    });
    button.disabled = false;
  };

  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = box.getAttribute('data-connecting');
    FB.login(function (response) {
      if (response && response.authResponse && response.authResponse.code) {
        code = response.authResponse.code;
        submitWhenReady();
      } else {
        cancelled('');
      }
    }, {
      config_id: box.getAttribute('data-config-id'),
      response_type: 'code',
      override_default_response_type: true,
      extras: {setup: {}, featureType: '', sessionInfoVersion: '3'}
    });
  });

  var script = document.createElement('script');
  script.async = true;
  script.defer = true;
  script.crossOrigin = 'anonymous';
  script.src = sdkUrl;
  document.body.appendChild(script);
})();
