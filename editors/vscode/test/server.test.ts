import { strict as assert } from "node:assert";
import { describe, it } from "node:test";

import { DiscoveryEnv, findServer } from "../src/server";

/** A discovery environment over an imaginary file system. */
function env(files: string[], overrides: Partial<DiscoveryEnv> = {}): DiscoveryEnv {
  const existing = new Set(files);
  return {
    configuredPath: "",
    workspaceFolder: "/notes",
    extensionPath: "/ext",
    pathEnv: "/usr/local/bin:/usr/bin",
    platform: "linux",
    homeDir: "/home/ada",
    isFile: (file) => existing.has(file),
    ...overrides,
  };
}

describe("findServer", () => {
  it("prefers gloss on PATH, in PATH order", () => {
    const found = findServer(env(["/usr/bin/gloss", "/usr/local/bin/gloss", "/ext/server/gloss"]));
    assert.deepEqual(found, { found: true, command: "/usr/local/bin/gloss", source: "path" });
  });

  it("falls back to the bundled binary", () => {
    const found = findServer(env(["/ext/server/gloss"]));
    assert.deepEqual(found, { found: true, command: "/ext/server/gloss", source: "bundled" });
  });

  it("explains what to do when there is no binary at all", () => {
    const found = findServer(env([]));
    assert.equal(found.found, false);
    assert.match(found.found ? "" : found.message, /not on PATH.*gloss\.server\.path/);
  });

  it("uses the setting and never falls back when it is wrong", () => {
    assert.deepEqual(findServer(env(["/opt/gloss"], { configuredPath: "/opt/gloss" })), {
      found: true,
      command: "/opt/gloss",
      source: "setting",
    });
    const typo = findServer(env(["/usr/bin/gloss"], { configuredPath: "/opt/glos" }));
    assert.equal(typo.found, false);
    assert.match(typo.found ? "" : typo.message, /'\/opt\/glos'/);
  });

  it("expands ~, ${workspaceFolder} and workspace-relative paths", () => {
    const files = ["/home/ada/bin/gloss", "/notes/target/release/gloss"];
    assert.equal(pick(findServer(env(files, { configuredPath: "~/bin/gloss" }))), "/home/ada/bin/gloss");
    assert.equal(
      pick(findServer(env(files, { configuredPath: "${workspaceFolder}/target/release/gloss" }))),
      "/notes/target/release/gloss",
    );
    assert.equal(pick(findServer(env(files, { configuredPath: "target/release/gloss" }))), "/notes/target/release/gloss");
  });

  it("looks a bare configured name up on PATH", () => {
    assert.equal(pick(findServer(env(["/usr/bin/gloss-dev"], { configuredPath: "gloss-dev" }))), "/usr/bin/gloss-dev");
  });

  it("knows Windows' executable name and PATH separator", () => {
    const windows = env(["C:\\tools/gloss.exe"], { platform: "win32", pathEnv: "C:\\tools;C:\\bin" });
    assert.equal(pick(findServer(windows)), "C:\\tools/gloss.exe");
  });

  it("ignores empty PATH entries and a blank setting", () => {
    const found = findServer(env(["/usr/bin/gloss"], { pathEnv: "::/usr/bin:", configuredPath: "   " }));
    assert.equal(pick(found), "/usr/bin/gloss");
  });
});

function pick(found: ReturnType<typeof findServer>): string | undefined {
  return found.found ? found.command : undefined;
}
