// Finding the `gloss` binary. Kept free of the `vscode` module so that the
// rules can be unit-tested with plain Node.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What discovery may look at; tests pass their own. */
export interface DiscoveryEnv {
  /** `gloss.server.path`, possibly empty. */
  configuredPath: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
  /** The extension's install folder, holding an optional `server/` binary. */
  extensionPath: string;
  /** The `PATH` environment variable. */
  pathEnv: string;
  platform: NodeJS.Platform;
  homeDir: string;
  /** Whether `file` exists and is a regular file. */
  isFile(file: string): boolean;
}

export type Discovery =
  | { found: true; command: string; source: "setting" | "path" | "bundled" }
  | { found: false; message: string };

/**
 * Resolves the server binary the way the settings promise: the configured
 * path when there is one (never silently falling back, so a typo is
 * reported), else `gloss` on `PATH`, else the bundled binary.
 */
export function findServer(env: DiscoveryEnv): Discovery {
  const exe = env.platform === "win32" ? "gloss.exe" : "gloss";
  const configured = env.configuredPath.trim();
  if (configured !== "") {
    const command = resolveConfigured(configured, env);
    if (command !== undefined) {
      return { found: true, command, source: "setting" };
    }
    return {
      found: false,
      message: `gloss.server.path is set to '${configured}', but no such program exists.`,
    };
  }
  const onPath = searchPath(exe, env);
  if (onPath !== undefined) {
    return { found: true, command: onPath, source: "path" };
  }
  const bundled = path.join(env.extensionPath, "server", exe);
  if (env.isFile(bundled)) {
    return { found: true, command: bundled, source: "bundled" };
  }
  return {
    found: false,
    message:
      "Cannot find the gloss language server: 'gloss' is not on PATH and the extension bundles no binary. " +
      "Install it with 'cargo install --path server' from the gloss repository, or set gloss.server.path.",
  };
}

/** `~/bin/gloss`, `${workspaceFolder}/target/release/gloss`, or a bare name on PATH. */
function resolveConfigured(configured: string, env: DiscoveryEnv): string | undefined {
  let expanded = configured;
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = path.join(env.homeDir, expanded.slice(1));
  }
  if (env.workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  const isBareName = !expanded.includes("/") && !expanded.includes("\\");
  if (isBareName) {
    return searchPath(expanded, env);
  }
  if (!path.isAbsolute(expanded) && env.workspaceFolder !== undefined) {
    expanded = path.resolve(env.workspaceFolder, expanded);
  }
  return env.isFile(expanded) ? expanded : undefined;
}

function searchPath(name: string, env: DiscoveryEnv): string | undefined {
  const separator = env.platform === "win32" ? ";" : ":";
  for (const dir of env.pathEnv.split(separator)) {
    if (dir === "") {
      continue;
    }
    const candidate = path.join(dir, name);
    if (env.isFile(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/** The discovery environment of the running process. */
export function processEnv(configuredPath: string, extensionPath: string, workspaceFolder?: string): DiscoveryEnv {
  return {
    configuredPath,
    workspaceFolder,
    extensionPath,
    pathEnv: process.env.PATH ?? "",
    platform: process.platform,
    homeDir: os.homedir(),
    isFile: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
  };
}

/**
 * A VSIX does not always keep the executable bit of the bundled binary;
 * restore it (on the extension's own file) before starting it.
 */
export function ensureExecutable(file: string): void {
  if (process.platform === "win32") {
    return;
  }
  try {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o111) === 0) {
      fs.chmodSync(file, mode | 0o755);
    }
  } catch {
    // Starting it will report the problem.
  }
}
