// Per-process CPU and memory from /proc, for benchmarks that measure other processes.
import { readFile } from 'node:fs/promises';

/** CPU seconds (user + system) `pid` has used so far; with `children`, plus its finished children's. */
export async function processCpuSeconds(pid, children = false) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // After the command name, 1-based: utime 14, stime 15, cutime 16, cstime 17, in clock ticks (USER_HZ=100).
  const own = fields[11] + fields[12];
  return (children ? own + fields[13] + fields[14] : own) / 100;
}

/** Resident set size of `pid` in MiB (VmRSS). */
export async function rssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}
