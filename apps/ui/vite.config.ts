import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * Builds the web UI to `dist/`, which the control plane serves at `/`.
 * Relative asset URLs keep the build usable behind a path prefix.
 */
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: {
    proxy: { "/api": process.env.OPAMP_UI_PROXY_TARGET ?? "http://127.0.0.1:4321" },
  },
});
