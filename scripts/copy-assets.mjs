// Copies the non-TypeScript files the server reads at run time (SQL migrations, the common-password
// list, the default privacy policy) next to the compiled JavaScript in dist/server.
import { cpSync } from 'node:fs';

cpSync('src/db/migrations', 'dist/server/db/migrations', { recursive: true });
cpSync('src/features/access/common-passwords.txt', 'dist/server/features/access/common-passwords.txt');
cpSync('src/features/privacy/public/default-policy.md', 'dist/server/features/privacy/public/default-policy.md');
