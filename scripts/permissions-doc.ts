// Rewrites the permission table block in docs/SECURITY.md from src/features/access/permissions.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { permissionsMarkdown } from '../src/features/access/permissions-doc.js';

const file = 'docs/SECURITY.md';
const doc = readFileSync(file, 'utf8');
writeFileSync(file, doc.replace(/<!-- permissions:start -->\n[\s\S]*?<!-- permissions:end -->/, `<!-- permissions:start -->\n${permissionsMarkdown()}\n<!-- permissions:end -->`));
