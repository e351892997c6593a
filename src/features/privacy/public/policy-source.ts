/**
 * The privacy policy's Markdown source: PRIVACY_POLICY_FILE when set, else the project's own
 * default text (default-policy.md beside this file; the build copies it next to the compiled code).
 * Read once at start-up: a set but missing or unreadable file stops the process with one line
 * naming PRIVACY_POLICY_FILE (main.ts calls this right after the configuration is parsed).
 * No Markdown library here, so main.ts can check the file before loading the HTTP stack.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../config.js';

export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('./default-policy.md', import.meta.url));

/** Policies are pages of text: anything larger is a wrong file. */
const MAX_POLICY_BYTES = 512 * 1024;

export interface PolicySource {
  markdown: string;
  /** 'file': PRIVACY_POLICY_FILE; 'default': the project's own text */
  origin: 'file' | 'default';
}

/** Reads the policy; throws ConfigError naming PRIVACY_POLICY_FILE when that file cannot be used. */
export function loadPolicySource(privacyPolicyFile: string | undefined): PolicySource {
  if (!privacyPolicyFile) return { markdown: readFileSync(DEFAULT_POLICY_PATH, 'utf8'), origin: 'default' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(privacyPolicyFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`PRIVACY_POLICY_FILE: cannot read ${privacyPolicyFile} (${code})`);
  }
  if (bytes.length > MAX_POLICY_BYTES) throw new ConfigError(`PRIVACY_POLICY_FILE: ${privacyPolicyFile} is larger than ${MAX_POLICY_BYTES} bytes`);
  const markdown = bytes.toString('utf8');
  if (markdown.trim() === '') throw new ConfigError(`PRIVACY_POLICY_FILE: ${privacyPolicyFile} is empty`);
  return { markdown, origin: 'file' };
}
