/** The setup token travels in the URL fragment (`/setup#token=…`); the helpers are shared with other links. */
export { readTokenFromFragment, removeFragmentFromAddressBar } from '../../lib/fragment-token.js';
