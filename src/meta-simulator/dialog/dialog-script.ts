/**
 * The browser script of the sandbox dialog, served as /dialog/dialog.js (the page's CSP allows
 * scripts from 'self' only). It is plain ES2020 kept in a string rather than a compiled module so
 * the server needs no bundler; it reads its configuration from the page's JSON data block.
 *
 * Behaviour copied from Meta's popup: the session-info event and the login response are posted to
 * window.opener as JSON strings, with targetOrigin set to the app's exact origin (so a different
 * opener never sees the code), then the window closes itself.
 */
export const DIALOG_SCRIPT = String.raw`(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('dialog-config').textContent);
  var world = config.world;
  var $ = function (id) { return document.getElementById(id); };
  var status = $('status');

  function fill(select, items, emptyLabel) {
    select.replaceChildren();
    if (emptyLabel !== undefined) select.append(new Option(emptyLabel, ''));
    items.forEach(function (it) { select.append(new Option(it.label, it.value)); });
  }
  function business() { return world.businesses.find(function (b) { return b.id === $('business').value; }); }
  function waba() {
    var b = business();
    return b && b.wabas.find(function (w) { return w.id === $('waba').value; });
  }
  function onBusiness() {
    var b = business();
    fill($('waba'), (b ? b.wabas : []).map(function (w) { return { value: w.id, label: w.name + ' (' + w.id + ')' }; }));
    onWaba();
  }
  function onWaba() {
    var w = waba();
    fill($('phone'), (w ? w.phoneNumbers : []).map(function (p) {
      var notes = [p.codeVerificationStatus !== 'VERIFIED' ? p.codeVerificationStatus : '', p.coexistence ? 'WhatsApp Business app' : ''].filter(Boolean);
      return { value: p.id, label: p.displayPhoneNumber + ' ' + p.verifiedName + (notes.length ? ' [' + notes.join(', ') + ']' : '') };
    }), 'No phone number');
    if (w && w.phoneNumbers.length) $('phone').value = w.phoneNumbers[0].id;
  }

  function setBusy(busy) {
    document.querySelectorAll('button').forEach(function (b) { b.disabled = busy; });
  }
  function post(message) {
    window.opener.postMessage(JSON.stringify(message), config.appOrigin);
  }
  // Both messages, then close; without an opener (COOP severed it, or the page was opened by hand)
  // say so instead of closing, since nothing could be delivered.
  function deliver(event, data, response) {
    if (!window.opener) {
      status.textContent = 'This window has no opener: nothing was sent. Open it through FB.login.';
      setBusy(false);
      return;
    }
    post({ type: 'WA_EMBEDDED_SIGNUP', event: event, data: data, version: 3 });
    post({ type: 'SANDBOX_FB_LOGIN_RESPONSE', state: config.state, response: response });
    status.textContent = 'Sent ' + event + ' to ' + config.appOrigin + '.';
    window.close();
  }
  var notConnected = { status: 'unknown' };

  function errorData() {
    var bytes = crypto.getRandomValues(new Uint8Array(8));
    var session = Array.from(bytes, function (x) { return x.toString(16).padStart(2, '0'); }).join('').slice(0, 15);
    return {
      error_message: $('error-message').value,
      error_id: $('error-id').value,
      session_id: session,
      // Meta sends unix seconds as a string.
      timestamp: String(Math.floor(Date.now() / 1000)),
    };
  }

  async function finish() {
    var variant = $('variant').value;
    var picks = {
      businessId: $('business').value,
      wabaId: $('waba').value,
      phoneNumberId: $('phone').value || undefined,
      scenario: $('scenario').value || undefined,
      variant: variant,
    };
    setBusy(true);
    status.textContent = 'Creating the authorization code…';
    var res;
    try {
      res = await fetch('/dialog/code', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(picks) });
    } catch (e) {
      res = null;
    }
    var body = res ? await res.json().catch(function () { return {}; }) : {};
    if (!res || !res.ok) {
      status.textContent = 'Could not create a code: ' + (body.message || 'network error');
      setBusy(false);
      return;
    }
    var data = { waba_id: picks.wabaId };
    if (variant === 'FINISH') {
      data.business_id = picks.businessId;
      if (picks.phoneNumberId) data.phone_number_id = picks.phoneNumberId;
    } else if (variant === 'FINISH_ONLY_WABA') {
      data.business_id = picks.businessId;
    }
    // FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING: Meta documents waba_id only.
    deliver(variant, data, { status: 'connected', authResponse: { code: body.code, userID: body.userId } });
  }

  $('business').addEventListener('change', onBusiness);
  $('waba').addEventListener('change', onWaba);
  $('finish').addEventListener('click', function () { void finish(); });
  $('cancel').addEventListener('click', function () {
    deliver('CANCEL', { current_step: $('step').value }, notConnected);
  });
  $('report').addEventListener('click', function () { deliver('CANCEL', errorData(), notConnected); });
  $('error-event').addEventListener('click', function () { deliver('ERROR', errorData(), notConnected); });
  onBusiness();
})();
`;
