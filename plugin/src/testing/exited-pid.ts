import { execFileSync } from 'node:child_process';

/** The pid of a process that has run and exited: what a lock or a staging folder of a crashed process names. */
export function exitedPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
}
