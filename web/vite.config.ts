import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

/** The API server the dev server forwards `/api` to. PUBLIC_URL of that server should be this origin. */
const apiTarget = 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: 'public',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // Every supported browser has native modulepreload; skipping the polyfill keeps the entry lean.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // React changes least often: its own chunk stays cached across releases.
        codeSplitting: {
          groups: [{ name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': {
        target: apiTarget,
        configure(proxy) {
          // The server compares Origin with PUBLIC_URL. A same-origin request made through the dev
          // server carries the dev server's origin, so present it as the API origin instead.
          // Cross-origin requests keep their Origin and are still refused by the server.
          proxy.on('proxyReq', (proxyReq, req) => {
            const origin = req.headers.origin;
            const host = req.headers.host;
            if (origin !== undefined && host !== undefined && origin === `http://${host}`) {
              proxyReq.setHeader('origin', apiTarget);
            }
          });
        },
      },
    },
  },
});
