/**
 * A minimal `window.FB` for sandbox mode: the app serves `renderSandboxSdk(dialogOrigin)` as a
 * static script on its connect page instead of connect.facebook.net/en_US/sdk.js, and the page's
 * code (fbAsyncInit, FB.init, FB.login in the click handler, its own WA_EMBEDDED_SIGNUP listener)
 * stays exactly the production code.
 *
 * The shim's own `message` listener accepts only the dialog's exact origin and only
 * SANDBOX_FB_LOGIN_RESPONSE envelopes carrying the state nonce of the current login; it never
 * stops propagation, so WA_EMBEDDED_SIGNUP events reach the app's listener untouched.
 */

/** The shim's browser source, bound to one dialog origin (what startSignupDialog returned). */
export function renderSandboxSdk(dialogOrigin: string): string {
  const parsed = new URL(dialogOrigin);
  if (parsed.origin !== dialogOrigin) throw new Error(`renderSandboxSdk: expected an exact origin, got ${dialogOrigin}`);
  // JSON.stringify makes a safe JS string literal; `<` escaped in case someone inlines the script.
  const literal = JSON.stringify(dialogOrigin).replace(/</g, '\\u003c');
  return SHIM.replace('__DIALOG_ORIGIN__', literal);
}

/** Content-Type to serve the shim with. */
export const SANDBOX_SDK_CONTENT_TYPE = 'text/javascript; charset=utf-8';

// Plain ES2020 in a string: it runs in the browser, unbundled. No backticks or ${ inside.
const SHIM = String.raw`/* Sandbox stand-in for Meta's JavaScript SDK: FB.init and FB.login only. */
(function () {
  'use strict';
  var DIALOG_ORIGIN = __DIALOG_ORIGIN__;
  // Grace period after the popup closes before reporting "unknown": the dialog posts its answer
  // and closes at once, and the two can reach this window in either order.
  var CLOSE_GRACE_MS = 1000;
  var settings = null;
  var pending = null;

  function nonce() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  function settle(response) {
    if (!pending) return;
    var p = pending;
    pending = null;
    clearInterval(p.timer);
    try { p.callback(response); } catch (e) { setTimeout(function () { throw e; }); }
  }

  window.addEventListener('message', function (event) {
    if (!pending || event.origin !== DIALOG_ORIGIN || event.source !== pending.popup) return;
    var data = event.data;
    if (typeof data === 'string') {
      try { data = JSON.parse(data); } catch (e) { return; }
    }
    // WA_EMBEDDED_SIGNUP and anything else is left alone for the page's own listener.
    if (!data || typeof data !== 'object' || data.type !== 'SANDBOX_FB_LOGIN_RESPONSE') return;
    if (data.state !== pending.state) return;
    var r = data.response || {};
    settle(r.status === 'connected' && r.authResponse
      ? { status: 'connected', authResponse: { code: String(r.authResponse.code), userID: String(r.authResponse.userID) } }
      : { status: 'unknown', authResponse: null });
  });

  var FB = {
    init: function (opts) {
      opts = opts || {};
      if (!opts.appId) throw new Error('FB.init: appId is required');
      settings = { appId: String(opts.appId), version: String(opts.version || ''), xfbml: !!opts.xfbml, autoLogAppEvents: !!opts.autoLogAppEvents };
    },
    // Must be called inside the click handler: window.open is synchronous here, as with Meta's SDK.
    login: function (callback, opts) {
      if (typeof callback !== 'function') throw new Error('FB.login: a callback is required');
      if (!settings) throw new Error('FB.login called before FB.init');
      opts = opts || {};
      if (pending) settle({ status: 'unknown', authResponse: null });
      var state = nonce();
      var q = new URLSearchParams({
        app_id: settings.appId,
        config_id: String(opts.config_id || ''),
        response_type: String(opts.response_type || 'token'),
        override_default_response_type: String(!!opts.override_default_response_type),
        extras: JSON.stringify(opts.extras || {}),
        state: state,
      });
      if (settings.version) q.set('version', settings.version);
      var popup = window.open(DIALOG_ORIGIN + '/dialog/oauth?' + q.toString(), 'sandbox_fb_login', 'popup,width=600,height=760');
      if (!popup) {
        setTimeout(function () { callback({ status: 'unknown', authResponse: null }); });
        return;
      }
      var entry = { state: state, popup: popup, callback: callback, timer: 0 };
      entry.timer = setInterval(function () {
        if (!popup.closed || entry.closedAt) return;
        entry.closedAt = Date.now();
        setTimeout(function () { if (pending === entry) settle({ status: 'unknown', authResponse: null }); }, CLOSE_GRACE_MS);
      }, 250);
      pending = entry;
    },
    getLoginStatus: function (callback) {
      setTimeout(function () { callback({ status: 'unknown', authResponse: null }); });
    },
  };
  window.FB = FB;
  // Like the real SDK: run the page's fbAsyncInit once FB exists (after the current task, so a
  // definition later in the same script still counts).
  setTimeout(function () {
    if (typeof window.fbAsyncInit === 'function') window.fbAsyncInit();
  });
})();
`;
