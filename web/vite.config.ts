import { defineConfig } from "vite";

// The app is served by CloudFront (and locally by devstack/front.py) under a strict CSP:
// script-src 'self' and style-src 'self', so nothing may be inlined into index.html.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
  },
});
