// Copies a gloss binary into server/, where the extension looks after PATH,
// so that `npm run package` gives a self-contained .vsix for this platform.
// Usage: npm run bundle-server [-- /path/to/gloss]   (default: the
// repository's target/release/gloss; build it with `cargo build --release`).

import { chmodSync, copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const extension = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const exe = process.platform === "win32" ? "gloss.exe" : "gloss";
const source = resolve(process.argv[2] ?? join(extension, "..", "..", "target", "release", exe));
if (!existsSync(source)) {
  console.error(`${source} does not exist; run \`cargo build --release\` first or pass a path.`);
  process.exit(1);
}
mkdirSync(join(extension, "server"), { recursive: true });
const target = join(extension, "server", exe);
copyFileSync(source, target);
chmodSync(target, 0o755);
console.log(`bundled ${source} as ${target}`);
