// CPU time of a process from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms on Linux), or undefined
// where there is no /proc.
import { readFileSync } from 'node:fs';

export function clockTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
