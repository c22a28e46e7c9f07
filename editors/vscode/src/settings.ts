// Mapping VS Code settings (`gloss.*`) to what the server reads from
// `initializationOptions` and `workspace/didChangeConfiguration`
// (see server/src/lsp/settings.rs). Free of the `vscode` module for tests.

export const SEVERITY_LEVELS = ["error", "warning", "info", "hint", "off"] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export interface ServerSettings {
  hover: { mentions: boolean; abstract: boolean };
  hints: { citations: boolean };
  cache: boolean;
  severity: Record<string, SeverityLevel>;
  baseline: { severity: SeverityLevel };
}

/** Reads one setting; mirrors `WorkspaceConfiguration.get`. */
export type Getter = (key: string) => unknown;

export interface Mapped {
  settings: ServerSettings;
  /** Entries that were dropped, explained for the output channel. */
  problems: string[];
}

export function toServerSettings(get: Getter): Mapped {
  const problems: string[] = [];
  const bool = (key: string, fallback: boolean): boolean => {
    const value = get(key);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value !== "boolean") {
      problems.push(`gloss.${key} should be true or false, not ${JSON.stringify(value)}; using ${fallback}.`);
      return fallback;
    }
    return value;
  };
  const hover = { mentions: bool("hover.mentions", true), abstract: bool("hover.abstract", false) };
  const hints = { citations: bool("hints.citations", true) };
  const cache = bool("cache", true);
  const severity: Record<string, SeverityLevel> = {};
  const raw = get("severity");
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "object" || Array.isArray(raw)) {
      problems.push(`gloss.severity should be an object like { "broken-link": "warning" }; ignored.`);
    } else {
      for (const [code, level] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof level === "string" && (SEVERITY_LEVELS as readonly string[]).includes(level)) {
          severity[code] = level as SeverityLevel;
        } else {
          problems.push(
            `gloss.severity: '${code}' has level ${JSON.stringify(level)}; expected one of ${SEVERITY_LEVELS.join(", ")}.`,
          );
        }
      }
    }
  }
  let baselineSeverity: SeverityLevel = "hint";
  const rawBaseline = get("baseline.severity");
  if (rawBaseline !== undefined && rawBaseline !== null) {
    if (typeof rawBaseline === "string" && (SEVERITY_LEVELS as readonly string[]).includes(rawBaseline)) {
      baselineSeverity = rawBaseline as SeverityLevel;
    } else {
      problems.push(
        `gloss.baseline.severity is ${JSON.stringify(rawBaseline)}; expected one of ${SEVERITY_LEVELS.join(", ")}; using hint.`,
      );
    }
  }
  return {
    settings: { hover, hints, cache, severity, baseline: { severity: baselineSeverity } },
    problems,
  };
}

/** Whether a configuration change needs the server process restarted. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("gloss.server");
}

/** Arguments for the server process: `lsp`, then the user's extra arguments. */
export function serverArgs(extraArgs: unknown): string[] {
  const extra = Array.isArray(extraArgs) ? extraArgs.filter((a): a is string => typeof a === "string") : [];
  return ["lsp", ...extra];
}
