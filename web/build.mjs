// Copies the chat widget and its font out of node_modules into dist/, so the page needs no CDN.
//
// rasa-webchat's bundle (lib/index.js: React, socket.io-client 3 and the widget in one UMD file)
// pulls the Inter font from fonts.googleapis.com through a CSS @import. That import is removed
// here and the same font is served from @fontsource/inter instead. Runs after `npm ci`.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const dist = join(here, "dist");
mkdirSync(join(dist, "fonts"), { recursive: true });

const FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com\/css\?family=Inter[^)]*\);/g;
const bundle = readFileSync(join(modules, "rasa-webchat", "lib", "index.js"), "utf8");
const removed = (bundle.match(FONT_IMPORT) || []).length;
const patched = bundle.replace(FONT_IMPORT, "");
if (removed === 0 || patched.includes("fonts.googleapis.com")) {
  throw new Error("rasa-webchat bundle changed: the Google Fonts import was not found where expected");
}
writeFileSync(join(dist, "rasa-webchat.js"), patched);

const faces = [];
for (const weight of [400, 500, 700]) {
  const file = `inter-latin-${weight}-normal.woff2`;
  copyFileSync(join(modules, "@fontsource", "inter", "files", file), join(dist, "fonts", file));
  faces.push(
    `@font-face{font-family:"Inter";font-style:normal;font-display:swap;font-weight:${weight};` +
      `src:url(fonts/${file}) format("woff2");}`,
  );
}
writeFileSync(join(dist, "fonts.css"), faces.join("\n") + "\n");

console.log(`web/dist: rasa-webchat.js (${removed} font import(s) removed), fonts.css, ${faces.length} fonts`);
