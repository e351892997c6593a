/**
 * The connect page's browser logic, served as /connect/connect.js (the page has no inline script).
 * The same code runs against Meta's SDK in production and the sandbox `window.FB` shim: one attempt
 * per launch; the code is handed in the moment the login callback fires (it expires in 30 s) and the
 * session info separately under the same attempt id; the server joins the two (reference 1.3).
 */

/** Content-Type of the script. */
export const CONNECT_SCRIPT_CONTENT_TYPE = 'application/javascript; charset=utf-8';

/** The script's source (plain ES2020, unbundled). */
export function renderConnectScript(): string {
  return SCRIPT;
}

// No backticks or ${ inside: this is a String.raw template.
const SCRIPT = String.raw`/* Connect a WhatsApp Business Account through Embedded Signup. */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('connect-config').textContent);
  var button = document.getElementById('connect');
  var retry = document.getElementById('retry');
  var statusEl = document.getElementById('status');
  var POLL_EVERY_MS = 1000;
  var POLL_FOR_MS = 60000;
  var TERMINAL = ['connected', 'failed', 'abandoned', 'action_required', 'disconnected'];
  var RETRYABLE = ['failed', 'abandoned'];
  var sdkReady = false;
  var attempt = null;   // { recordId, attemptId } ready for the next click
  var active = null;    // the attempt whose popup is (or was last) open: events go to it
  var polling = null;

  function say(text) { statusEl.textContent = text; }

  function refreshButton() { button.disabled = !(sdkReady && attempt); }

  function api(method, path, body) {
    var init = { method: method, credentials: 'same-origin', headers: { 'x-csrf-protection': '1' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      if (res.status === 401 && cfg.mode === 'staff') {
        location.assign('/sign-in?next=' + encodeURIComponent(location.pathname + location.search));
        throw new Error('Your session has ended; sign in again.');
      }
      if (res.status === 410) {
        button.hidden = true;
        throw new Error('This onboarding link is no longer valid; ask for a new one.');
      }
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (!res.ok) throw new Error(json.detail || ('The server answered ' + res.status + '.'));
        return json;
      });
    });
  }

  function startAttempt() {
    attempt = null;
    refreshButton();
    // /connect?record=<id>: a reconnect of that record (the server merges by WABA once verified).
    var body = {};
    var reconnect = cfg.mode === 'staff' ? new URLSearchParams(location.search).get('record') : null;
    if (reconnect) body.recordId = reconnect;
    return api('POST', cfg.apiBase + '/attempts', body).then(function (a) {
      attempt = a;
      refreshButton();
      if (sdkReady) say('Ready: press Connect to open Meta\u2019s signup window.');
    }, function (err) { say('Could not start: ' + err.message); });
  }

  function loadSdk() {
    window.fbAsyncInit = function () {
      window.FB.init({ appId: cfg.appId, version: cfg.graphVersion, xfbml: false, autoLogAppEvents: false });
      sdkReady = true;
      refreshButton();
      if (attempt) say('Ready: press Connect to open Meta\u2019s signup window.');
    };
    var s = document.createElement('script');
    s.src = cfg.sdkUrl;
    s.async = true;
    if (!cfg.sandbox) s.crossOrigin = 'anonymous';
    s.onerror = function () { say('Meta\u2019s SDK could not be loaded; check the network and reload the page.'); };
    document.head.appendChild(s);
  }

  // Must stay synchronous inside the click: browsers block popups opened after an await.
  button.addEventListener('click', function () {
    if (!attempt || !sdkReady) return;
    var current = attempt;
    attempt = null;
    active = current;
    refreshButton();
    say('Waiting for Meta\u2019s signup window\u2026');
    window.FB.login(function (response) { onLogin(current, response); }, {
      config_id: cfg.configId,
      response_type: 'code',
      override_default_response_type: true,
      extras: { setup: cfg.prefill || {}, sessionInfoVersion: '3' },
    });
  });

  retry.addEventListener('click', function () {
    retry.hidden = true;
    say('Starting a new attempt\u2026');
    startAttempt();
  });

  function onLogin(current, response) {
    var auth = response && response.authResponse;
    if (auth && auth.code) {
      var body = { code: String(auth.code) };
      if (auth.userID && /^\d{1,20}$/.test(String(auth.userID))) body.metaUserId = String(auth.userID);
      say('Meta answered; finishing the set-up\u2026');
      api('POST', cfg.apiBase + '/attempts/' + encodeURIComponent(current.attemptId) + '/code', body)
        .catch(function (err) { say('The code was not accepted: ' + err.message); })
        .then(function () { poll(current); });
    } else {
      // No code: a CANCEL session event (if Meta sent one) has already marked the record.
      say('The signup window closed without connecting.');
      poll(current);
    }
  }

  // Session info: exact origins only (a suffix check would admit evilfacebook.com).
  window.addEventListener('message', function (event) {
    if (cfg.allowedOrigins.indexOf(event.origin) === -1) return;
    var data = event.data;
    if (typeof data === 'string') {
      try { data = JSON.parse(data); } catch (e) { return; } // other SDK traffic
    }
    if (!data || typeof data !== 'object' || data.type !== 'WA_EMBEDDED_SIGNUP') return;
    if (!active || typeof data.event !== 'string') return;
    var current = active;
    var body = { type: 'WA_EMBEDDED_SIGNUP', event: data.event, data: data.data && typeof data.data === 'object' ? data.data : {} };
    if (typeof data.version === 'number' || typeof data.version === 'string') body.version = data.version;
    api('POST', cfg.apiBase + '/attempts/' + encodeURIComponent(current.attemptId) + '/session', body)
      .then(function () { poll(current); }, function (err) { say('Meta\u2019s session info was not accepted: ' + err.message); });
  });

  function poll(current) {
    if (polling === current.attemptId) return; // the callback and the event both start it
    polling = current.attemptId;
    var until = Date.now() + POLL_FOR_MS;
    function tick() {
      if (polling !== current.attemptId) return;
      // By attempt id: after a reconnect the attempt lives on in the record it was merged into.
      api('GET', cfg.apiBase + '/attempts/' + encodeURIComponent(current.attemptId)).then(function (d) {
        if (TERMINAL.indexOf(d.state) !== -1) return finish(d);
        if (Date.now() > until) return timeout(d.state);
        setTimeout(tick, POLL_EVERY_MS);
      }, function (err) {
        if (Date.now() > until) return timeout('unknown');
        say('Checking the result failed (' + err.message + '); retrying\u2026');
        setTimeout(tick, POLL_EVERY_MS);
      });
    }
    tick();
  }

  function finish(r) {
    polling = null;
    if (r.state === 'connected') {
      var number = r.displayPhoneNumber || 'no phone number';
      say('Connected: ' + number + ' \u2014 WhatsApp Business Account ' + (r.wabaName ? r.wabaName + ' (' + r.wabaId + ')' : r.wabaId) + '.');
      if (cfg.mode === 'staff') showRecordLink(r.recordId);
      button.hidden = true;
      return;
    }
    var text = 'State: ' + r.state + (r.reason ? ' \u2014 ' + r.reason : '') + '.';
    if (r.abandonedStep) text += ' Left at step ' + r.abandonedStep + '.';
    say(text);
    if (cfg.mode === 'staff' && r.recordId) showRecordLink(r.recordId);
    if (RETRYABLE.indexOf(r.state) !== -1) retry.hidden = false;
  }

  function showRecordLink(recordId) {
    var el = document.getElementById('record-link');
    if (!el) {
      el = document.createElement('p');
      el.id = 'record-link';
      statusEl.parentNode.insertBefore(el, statusEl.nextSibling);
    }
    var a = document.createElement('a');
    a.href = '/onboarding/' + encodeURIComponent(recordId);
    a.textContent = 'Open the record';
    el.textContent = '';
    el.appendChild(a);
  }

  function timeout(state) {
    polling = null;
    say('No final answer after 60 seconds (state: ' + state + '). Try again, or check the record in the console.');
    retry.hidden = false;
  }

  if (cfg.missing) return; // the page names the missing setting; the button stays disabled
  startAttempt();
  loadSdk();
})();
`;
