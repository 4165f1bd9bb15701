// How the command line treats its output streams, whether the program writes a report or the executable replays a
// stored one (src/cli/replay.ts): a leaf, loaded before the program.

/** What a write to standard output that fails does: a closed reader is quiet; anything else is said once, exit 2. */
export function onStdoutError(error: NodeJS.ErrnoException, stderr: { write(text: string): unknown }): void {
  if (error.code === 'EPIPE') return;
  stderr.write(`meshlint: cannot write the report to standard output (${error.code ?? error.message}).\n`);
  process.exitCode = 2;
}

/**
 * A reader that stops early (`meshlint ... | head -1`) closes the pipe: stop writing, quietly, with the exit code
 * the scan earned. Any other write error (a full disk) is one line on stderr and exit 2.
 */
export function guardOutput(): void {
  guardStdout(process.stdout);
  guardStderr(process.stderr);
}

/** Node's stream for standard output, guarded as guardOutput says; it is closed at its first error. */
export function guardStdout(stdout: NodeJS.WriteStream): void {
  let failed = false;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!failed) onStdoutError(error, process.stderr);
    failed = true;
    stdout.destroy();
  });
}

/** Node's stream for standard error: a write that fails closes it, quietly (there is nowhere left to say so). */
export function guardStderr(stderr: NodeJS.WriteStream): void {
  stderr.on('error', () => stderr.destroy());
}
