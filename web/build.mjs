// Builds dist/ (the chat client and its font) from src/ and node_modules, so the page needs no CDN.
//
//   dist/tutor-chat.js    src/index.js bundled by esbuild with socket.io-client and markdown-it
//   dist/tutor-chat.css   the client's styles
//   dist/fonts.css, dist/fonts/*.woff2   Inter, from the @fontsource/inter package
//
// Runs after `npm ci` (postinstall) and from `make web`.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "fonts"), { recursive: true });

await build({
  entryPoints: { "tutor-chat": join(here, "src", "index.js"), "tutor-chat-style": join(here, "src", "tutor-chat.css") },
  outdir: dist,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "linked",
  logLevel: "warning",
});
// esbuild names a CSS entry's output after the entry: give it the page's name.
copyFileSync(join(dist, "tutor-chat-style.css"), join(dist, "tutor-chat.css"));
rmSync(join(dist, "tutor-chat-style.css"));

// Nothing in the bundle may load from another site.
for (const file of ["tutor-chat.js", "tutor-chat.css"]) {
  const text = readFileSync(join(dist, file), "utf8");
  const outside = text.match(/@import\s+url\(\s*["']?https?:|fonts\.googleapis\.com|cdn\.jsdelivr|unpkg\.com/);
  if (outside) throw new Error(`dist/${file} refers to another site: ${outside[0]}`);
}

const faces = [];
for (const weight of [400, 600, 700]) {
  const file = `inter-latin-${weight}-normal.woff2`;
  copyFileSync(join(modules, "@fontsource", "inter", "files", file), join(dist, "fonts", file));
  faces.push(
    `@font-face{font-family:"Inter";font-style:normal;font-display:swap;font-weight:${weight};` +
      `src:url(fonts/${file}) format("woff2");}`,
  );
}
writeFileSync(join(dist, "fonts.css"), faces.join("\n") + "\n");

console.log(`web/dist: tutor-chat.js, tutor-chat.css, fonts.css, ${faces.length} fonts`);
