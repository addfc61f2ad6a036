import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console: renderer/ built into dist/renderer, served by the service on the UI port.
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // No inline scripts or styles: the service's CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `vite` dev server: API calls go to a running `npm run serve` on the default UI port.
    proxy: { '/api': 'http://127.0.0.1:8421', '/login': 'http://127.0.0.1:8421' },
  },
});
