// How the command line treats its output streams, whether the program writes a report or the executable replays a
// stored one (src/cli/replay.ts): a leaf, loaded before the program.

/**
 * A reader that stops early (`meshlint ... | head -1`) closes the pipe: stop writing, quietly, with the exit code
 * the scan earned. Any other write error (a full disk) is one line on stderr and exit 2.
 */
export function guardOutput(): void {
  let reported = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.stdout.destroy();
      return;
    }
    if (!reported) {
      reported = true;
      process.stderr.write(`meshlint: cannot write the report to standard output (${error.code ?? error.message}).\n`);
    }
    process.exitCode = 2;
    process.stdout.destroy();
  });
  process.stderr.on('error', () => process.stderr.destroy());
}
