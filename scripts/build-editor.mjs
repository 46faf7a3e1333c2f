// Bundles scripts/editor/editor.js with esbuild into one file under static/vendor/ and puts
// the licence of every package in the bundle beside it. Run `npm install && npm run build`;
// the output is committed, so PeaceKG itself needs neither Node nor the network.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/peacekg/web/static/vendor");
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(root, "scripts/editor/editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  metafile: true,
  outfile: join(out, "codemirror.js"),
});

// Every package that contributed code to the bundle, with its version and licence text.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.add(match[1]);
}
const sections = [];
for (const name of [...packages].sort()) {
  const dir = join(root, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(LICEN[CS]E|COPYING)/i.test(f));
  if (!file) throw new Error(`no licence file in ${name}`);
  const text = readFileSync(join(dir, file), "utf8").trim();
  sections.push(`${name} ${meta.version} (${meta.license})\n${"=".repeat(60)}\n${text}\n`);
}
writeFileSync(
  join(out, "codemirror.LICENSES.txt"),
  "Third-party code bundled in codemirror.js (built by scripts/build-editor.mjs).\n\n" +
    sections.join("\n"),
);
console.log(`codemirror.js: ${packages.size} packages`);
if (!existsSync(join(out, "codemirror.js"))) process.exit(1);
