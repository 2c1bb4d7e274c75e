import { events, eventsHelp } from "./commands/events.js";
import { replay, replayHelp } from "./commands/replay.js";
import { send, sendHelp } from "./commands/send.js";
import { verify, verifyHelp } from "./commands/verify.js";
import { type CliIO, Output, UsageError } from "./io.js";

declare const __VERSION__: string;

export const mainHelp = `Usage: callhooks <command> [options]

Test, debug and operate Retell AI and MightyCall webhooks received with callhooks.

Commands:
  send <event|file>...   send signed sample or fixture webhooks to an endpoint
                         (or deliberately forged ones, with --bad-signature)
  verify [file|-]        check a Retell body and x-retell-signature offline; say why it fails
  events [id]            list stored events (status, type, call, attempts, errors), or show one
  replay <id>...         requeue stored events for your app's workers to process again

Run \`callhooks <command> --help\` for a command's options.

Options:
  -h, --help             show this help
  -v, --version          print the version

Colours follow the terminal: NO_COLOR turns them off, FORCE_COLOR on.`;

const commands: Record<string, { run: (argv: string[], io: CliIO, output: Output) => Promise<number>; help: string }> = {
  send: { run: send, help: sendHelp },
  verify: { run: verify, help: verifyHelp },
  events: { run: events, help: eventsHelp },
  replay: { run: replay, help: replayHelp },
};

/** The default streams: the process's own. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves with the exit status:
 * 0 success, 1 failure, 2 usage error. Never throws.
 */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  const output = new Output(io);
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "-h" || name === "--help" || name === "help") {
      const topic = name === "help" && rest[0] ? commands[rest[0]] : undefined;
      output.out(topic ? topic.help : mainHelp);
      return name === undefined ? 2 : 0;
    }
    if (name === "-v" || name === "--version") {
      output.out(typeof __VERSION__ === "string" ? __VERSION__ : "dev");
      return 0;
    }
    const command = commands[name];
    if (!command)
      throw new UsageError(`Unknown command "${name}". Commands: ${Object.keys(commands).join(", ")} (see \`callhooks --help\`).`);
    return await command.run(rest, io, output);
  } catch (error) {
    output.clearProgress();
    if (error instanceof UsageError) {
      output.err(`${output.errColor.red("error:")} ${error.message}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    output.err(`${output.errColor.red("error:")} ${message}`);
    return 1;
  }
}
