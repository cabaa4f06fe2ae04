// Vite build of the admin console: static files under dist/, served by the gateway at /admin/.
// For working on the console: DUET_GATEWAY=https://127.0.0.1:8443 npx vite  (or `vite preview`)
// serves it with /admin/v1 proxied to a running gateway.
import { defineConfig } from "vite";

const gateway = process.env.DUET_GATEWAY;
const proxy = gateway ? { "/admin/v1": { target: gateway, secure: false, changeOrigin: true } } : undefined;

export default defineConfig({
  base: "/admin/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // One JS and one CSS file; nothing inline, so the gateway's CSP (default-src 'self') holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy },
  preview: { proxy },
});
