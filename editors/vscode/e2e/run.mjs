// End-to-end test of the extension in real VS Code: code-server 4.100.3
// (VS Code 1.100.3) serves the workbench, Debian's Chromium shows it, and
// playwright-core drives it. The test
//   1. packages the extension with the repository's release binary bundled,
//   2. installs the .vsix into a fresh code-server and opens a copy of the
//      example vault,
//   3. hovers a [[Transformer]] link and waits for the glossary definition
//      in the hover widget, and for the broken-link squiggle,
//   4. points gloss.server.path at a missing file and waits for the
//      notification that says so (a failure must never be silent).
// Screenshots land in e2e/artifacts/. Exits non-zero on any failure.
//
// Needs: `cargo build --release`, `npm ci` here and `e2e/install.sh`
// (code-server, playwright-core), and /usr/bin/chromium.

import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const e2e = dirname(fileURLToPath(import.meta.url));
const extension = resolve(e2e, "..");
const repo = resolve(extension, "..", "..");
const artifacts = join(e2e, "artifacts");
const codeServer = join(e2e, "node_modules", ".bin", "code-server");
const { chromium } = createRequire(join(e2e, "package.json"))("playwright-core");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TIMEOUT = 90_000;

function log(message) {
  console.log(`[e2e] ${message}`);
}

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: "inherit", ...options });
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on("error", reject);
  });
}

async function waitForHttp(url, child) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${TIMEOUT / 1000} s`);
}

/** Opens a file through Quick Open, as a user would. */
async function openNote(page, name) {
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 450 } });
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill(name);
  await page.locator(".quick-input-list .monaco-list-row").first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor").first().waitFor();
}

/** Moves the mouse onto `word` inside the editor line containing `line`. */
async function hoverWord(page, line, word) {
  const box = await page.evaluate(
    ([lineText, wordText]) => {
      for (const element of document.querySelectorAll(".monaco-editor .view-line")) {
        if (!element.textContent.replace(/\u00a0/g, " ").includes(lineText)) {
          continue;
        }
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const at = node.textContent.indexOf(wordText);
          if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + wordText.length);
            const rect = range.getBoundingClientRect();
            return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
          }
        }
      }
      return null;
    },
    [line, word],
  );
  if (box === null) {
    throw new Error(`'${word}' on the line with '${line}' is not on screen`);
  }
  await page.mouse.move(box.x, box.y - 40);
  await page.mouse.move(box.x, box.y, { steps: 4 });
}

async function main() {
  mkdirSync(artifacts, { recursive: true });
  run("npm", ["run", "bundle-server"], { cwd: extension });
  run("npm", ["run", "package"], { cwd: extension });

  const scratch = mkdtempSync(join(tmpdir(), "gloss-vscode-e2e-"));
  const userData = join(scratch, "user-data");
  const extensions = join(scratch, "extensions");
  const vault = join(scratch, "llm-notes");
  cpSync(join(repo, "examples", "llm-notes"), vault, { recursive: true });
  const settingsFile = join(userData, "User", "settings.json");
  mkdirSync(dirname(settingsFile), { recursive: true });
  const settings = {
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "workbench.tips.enabled": false,
    "editor.hover.delay": 200,
    "editor.minimap.enabled": false,
    "gloss.trace.server": "messages",
    "window.zoomLevel": 0,
  };
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  const config = join(scratch, "config.yaml");
  writeFileSync(config, "auth: none\ncert: false\n");
  const common = ["--config", config, "--user-data-dir", userData, "--extensions-dir", extensions];
  run(codeServer, [...common, "--install-extension", join(extension, "gloss.vsix")]);

  const port = await freePort();
  // Its own process group (detached), so that stopping it stops everything
  // it started: the extension host and gloss with it.
  const server = spawn(
    codeServer,
    [
      ...common,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      vault,
    ],
    { detached: true, stdio: ["ignore", "inherit", "inherit"] },
  );
  const stopServer = () => {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  process.on("exit", stopServer);

  let browser;
  let page;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, server);
    log(`code-server listening on ${port}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(vault)}`);
    await page.locator(".monaco-workbench").waitFor();
    log("workbench loaded");

    await openNote(page, "paradigm-shifts.md");
    await page.locator(".monaco-editor .view-line", { hasText: "Transformer" }).first().waitFor();
    log("note open");

    // The broken link gets its squiggle once the server has indexed the vault.
    await page.locator(".monaco-editor .squiggly-error").first().waitFor();
    log("diagnostics shown");

    const definition = "an architecture built only from attention";
    const hoverWidget = page.locator(".monaco-hover").filter({ hasText: definition });
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      await hoverWord(page, "[[Transformer]]", "Transformer");
      try {
        await hoverWidget.first().waitFor({ timeout: 3000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw error;
        }
      }
    }
    log("hover shows the glossary definition");
    await page.screenshot({ path: join(artifacts, "hover.png") });

    // A wrong server path must be reported, with a way to fix it. The
    // settings file is rewritten and the window reloaded, as after editing
    // settings.json by hand.
    writeFileSync(settingsFile, JSON.stringify({ ...settings, "gloss.server.path": "/nonexistent/gloss" }, null, 2));
    await page.reload();
    await page.locator(".monaco-workbench").waitFor();
    await openNote(page, "paradigm-shifts.md");
    await page.getByText("gloss.server.path is set to '/nonexistent/gloss'").first().waitFor();
    await page.locator(".notifications-toasts").getByRole("button", { name: "Open Setting" }).first().waitFor();
    log("a wrong gloss.server.path is reported");
    await page.waitForTimeout(1000); // let the toast finish sliding in
    await page.screenshot({ path: join(artifacts, "missing-binary.png") });
  } catch (error) {
    if (page !== undefined) {
      await page.screenshot({ path: join(artifacts, "failure.png") }).catch(() => {});
    }
    // The extension host's and the extension's own logs say why.
    cpSync(join(userData, "logs"), join(artifacts, "logs"), { recursive: true });
    log(`logs copied to ${join(artifacts, "logs")}`);
    throw error;
  } finally {
    await browser?.close();
    stopServer();
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`passed; screenshots in ${artifacts}`);
}

main().catch((error) => {
  console.error(`[e2e] FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
