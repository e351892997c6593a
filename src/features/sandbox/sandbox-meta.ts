/**
 * The stand-in Meta app of sandbox mode. Its secret is derived from the key ring, so it is stable
 * across restarts and instances without being configured, and never equals a real app's secret.
 */
import type { Config } from '../../config.js';
import type { KeyRing } from '../vault/keyring.js';

export const SANDBOX_APP_ID = '100000000000001';
export const SANDBOX_CONFIG_ID = '200000000000002';

export interface MetaApp {
  appId: string;
  appSecret: string;
  configId: string | undefined;
  webhookVerifyToken: string | undefined;
}

/** The Meta app in use: the configured one, or the sandbox stand-in. */
export function metaAppOf(config: Config, keyring: KeyRing): MetaApp {
  if (!config.meta.sandbox) {
    return { appId: config.meta.appId!, appSecret: config.meta.appSecret!, configId: config.meta.configId, webhookVerifyToken: config.meta.webhookVerifyToken };
  }
  return {
    appId: SANDBOX_APP_ID,
    appSecret: config.meta.appSecret ?? keyring.derive('sandbox-meta-app-secret').toString('hex'),
    configId: config.meta.configId ?? SANDBOX_CONFIG_ID,
    webhookVerifyToken: config.meta.webhookVerifyToken ?? keyring.derive('sandbox-webhook-verify-token').toString('base64url'),
  };
}

/**
 * Where the Graph client sends its calls: META_GRAPH_URL, else Meta, else (sandbox) the simulator
 * mounted on this process's own listener, reached over loopback rather than through PUBLIC_URL.
 */
export function graphBaseUrl(config: Config): string {
  if (config.meta.graphUrl) return config.meta.graphUrl;
  if (!config.meta.sandbox) return 'https://graph.facebook.com';
  return `${ownListenerUrl(config)}/sandbox/meta/graph`;
}

/**
 * This process's own listener over loopback (`http://127.0.0.1:<port>`, or the configured host when
 * it is not a wildcard or loopback address). `port` overrides the configured one (a listener on port 0).
 */
export function ownListenerUrl(config: Config, port: number = config.port): string {
  const host = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(config.host) ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
