import { strict as assert } from "node:assert";
import { describe, it } from "node:test";

import { needsRestart, serverArgs, toServerSettings } from "../src/settings";

/** A getter over flat `gloss.*` keys, like `WorkspaceConfiguration.get`. */
function getter(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

describe("toServerSettings", () => {
  it("gives the server's defaults when nothing is set", () => {
    assert.deepEqual(toServerSettings(getter({})), {
      settings: {
        hover: { mentions: true, abstract: false },
        hints: { citations: true },
        cache: true,
        severity: {},
        baseline: { severity: "hint" },
      },
      problems: [],
    });
  });

  it("maps hover switches and severities to the server's shape", () => {
    const mapped = toServerSettings(
      getter({
        "hover.mentions": false,
        "hover.abstract": true,
        "hints.citations": false,
        cache: false,
        severity: { "broken-link": "warning", "unknown-citation": "off" },
        "baseline.severity": "off",
      }),
    );
    assert.deepEqual(mapped.settings, {
      hover: { mentions: false, abstract: true },
      hints: { citations: false },
      cache: false,
      severity: { "broken-link": "warning", "unknown-citation": "off" },
      baseline: { severity: "off" },
    });
    assert.deepEqual(mapped.problems, []);
  });

  it("drops bad values and says why", () => {
    const mapped = toServerSettings(
      getter({
        "hover.mentions": "yes",
        severity: { "broken-link": "fatal", "empty-link": "hint" },
        "baseline.severity": "quiet",
      }),
    );
    assert.deepEqual(mapped.settings, {
      hover: { mentions: true, abstract: false },
      hints: { citations: true },
      cache: true,
      severity: { "empty-link": "hint" },
      baseline: { severity: "hint" },
    });
    assert.equal(mapped.problems.length, 3);
    assert.match(mapped.problems[0], /gloss\.hover\.mentions/);
    assert.match(mapped.problems[1], /'broken-link' has level "fatal"/);
    assert.match(mapped.problems[2], /gloss\.baseline\.severity is "quiet"/);
  });

  it("rejects a severity list that is not an object", () => {
    const mapped = toServerSettings(getter({ severity: ["broken-link"] }));
    assert.deepEqual(mapped.settings.severity, {});
    assert.match(mapped.problems[0], /should be an object/);
  });
});

describe("serverArgs", () => {
  it("runs `lsp` with the user's extra arguments", () => {
    assert.deepEqual(serverArgs(undefined), ["lsp"]);
    assert.deepEqual(serverArgs(["--verbose", 3, null]), ["lsp", "--verbose"]);
  });
});

describe("needsRestart", () => {
  it("restarts for server settings only", () => {
    assert.equal(needsRestart((s) => s === "gloss.server"), true);
    assert.equal(needsRestart((s) => s === "gloss.hover"), false);
  });
});
