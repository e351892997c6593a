import { defineConfig } from 'drizzle-kit';

// Only `npm run db:generate` reads this: it turns src/db/schema.ts into committed SQL migrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
});
