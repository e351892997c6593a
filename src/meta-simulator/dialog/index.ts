/**
 * The sandbox stand-ins for Meta's browser side of Embedded Signup: the popup dialog on its own
 * origin and the `window.FB` shim that opens it.
 */
export { startSignupDialog, type RunningSignupDialog, type SignupDialogOptions } from './dialog-server.js';
export { CANCEL_STEPS, FINISH_VARIANTS, type FinishVariant } from './dialog-page.js';
export { renderSandboxSdk, SANDBOX_SDK_CONTENT_TYPE } from './sandbox-sdk.js';
