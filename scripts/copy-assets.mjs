// Copies the non-TypeScript files the server reads at run time (SQL migrations, the common-password
// list) next to the compiled JavaScript in dist/server.
import { cpSync } from 'node:fs';

cpSync('src/db/migrations', 'dist/server/db/migrations', { recursive: true });
cpSync('src/features/access/common-passwords.txt', 'dist/server/features/access/common-passwords.txt');
