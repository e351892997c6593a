// `npm start`: build if needed, then run the server in this process (signals reach it directly).
await import('./ensure-built.mjs');
await import('../dist/server/main.js');
