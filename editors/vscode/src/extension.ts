// The gloss VS Code extension: finds the `gloss` binary, starts `gloss lsp`
// over stdio and stays out of the way. Everything a user sees (hover,
// go-to-paper, diagnostics, completion, rename) comes from the server.

import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

import { RestartPolicy } from "./restarts";
import { ensureExecutable, findServer, processEnv } from "./server";
import { needsRestart, serverArgs, toServerSettings } from "./settings";

const OPEN_SETTING = "Open Setting";
const SHOW_OUTPUT = "Show Output";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
const restarts = new RestartPolicy();
/** Set once a failure was reported, so one failure gives one notification. */
let reported = false;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("gloss");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("gloss.restartServer", () => restart(context)),
    vscode.commands.registerCommand("gloss.showOutput", () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((section) => event.affectsConfiguration(section))) {
        void restart(context);
      } else if (event.affectsConfiguration("gloss")) {
        void sendSettings();
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  reported = false;
  const config = vscode.workspace.getConfiguration("gloss");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const discovery = findServer(processEnv(config.get<string>("server.path") ?? "", context.extensionPath, folder));
  if (!discovery.found) {
    output.appendLine(discovery.message);
    void notifyFailure(discovery.message);
    return;
  }
  if (discovery.source === "bundled") {
    ensureExecutable(discovery.command);
  }
  const args = serverArgs(config.get("server.extraArgs"));
  output.appendLine(`Starting ${discovery.command} ${args.join(" ")} (found via ${discovery.source})`);

  const serverOptions: ServerOptions = {
    command: discovery.command,
    // No `transport`: with TransportKind.stdio the client would append
    // `--stdio`; the default is stdio all the same.
    args,
    options: { cwd: folder },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      // Quarto and R Markdown documents (the Quarto and R extensions
      // name their languages so) are notes too.
      ...["markdown", "quarto", "rmd"].flatMap((language) => [
        { scheme: "file", language },
        { scheme: "untitled", language },
      ]),
    ],
    outputChannel: output,
    initializationOptions: settings(),
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        if (restarts.exited(Date.now())) {
          output.appendLine("The gloss server exited; restarting it.");
          return { action: CloseAction.Restart, handled: true };
        }
        void notifyFailure(`The gloss server (${discovery.command}) keeps exiting; it was not restarted.`);
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
  };
  client = new LanguageClient("gloss", "gloss", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    output.appendLine(`Could not start ${discovery.command}: ${reason}`);
    void notifyFailure(`Could not start the gloss server (${discovery.command}): ${reason}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined && running.needsStop()) {
    await running.stop();
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  restarts.reset();
  await stop();
  await start(context);
}

/** The server's settings from the `gloss.*` settings; problems go to the output. */
function settings(): object {
  const config = vscode.workspace.getConfiguration("gloss");
  const mapped = toServerSettings((key) => config.get(key));
  for (const problem of mapped.problems) {
    output.appendLine(problem);
  }
  return mapped.settings;
}

async function sendSettings(): Promise<void> {
  if (client?.isRunning()) {
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { gloss: settings() } });
  }
}

/** A failure the user must see, with the way to fix it one click away. */
async function notifyFailure(message: string): Promise<void> {
  if (reported) {
    return;
  }
  reported = true;
  const choice = await vscode.window.showErrorMessage(message, OPEN_SETTING, SHOW_OUTPUT);
  if (choice === OPEN_SETTING) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "gloss.server.path");
  } else if (choice === SHOW_OUTPUT) {
    output.show(true);
  }
}
