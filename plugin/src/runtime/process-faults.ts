/**
 * Faults that escape every promise a render returns (a floating rejection, a timer callback that throws): logged
 * with their stack and counted, answered 500 when the render that raised them is still running (once the render
 * scope is armed: at start, or by the first fault), then the policy decides — keep serving, or drain and exit with
 * code 1.
 */
import { TAG } from '../constants';
import type { PendingPage } from './pending-page';
import type { ArmableRenderScope } from './render-scope';
import { describeError } from './request-tracker';
import type { FaultCounts, OnFatalPolicy } from './types';

/** Every count at zero: the server's counts at start. */
export function createFaultCounts(): FaultCounts {
  return { unhandledRejections: 0, uncaughtExceptions: 0, renderErrors: 0, renderTimeouts: 0 };
}

export interface ProcessFaultOptions {
  scope: ArmableRenderScope<PendingPage>;
  faults: FaultCounts;
  onFatal: OnFatalPolicy;
  /** Answers the page 500; false when it was answered already. */
  answerFault(page: PendingPage): boolean;
  /** The `exit` policy: stop accepting and drain, then the process exits with code 1. */
  close(): Promise<void>;
  inFlight(): number;
  logError: (line: string) => void;
  /** Injected for specs; default process.exit. */
  exit?: (code: number) => void;
}

const KINDS = {
  unhandledRejection: { counter: 'unhandledRejections', label: 'unhandled rejection' },
  uncaughtException: { counter: 'uncaughtExceptions', label: 'uncaught exception' },
} as const;

/** Installs the process handlers; returns the function that removes them. */
export function handleProcessFaults(options: ProcessFaultOptions): () => void {
  const { scope, faults, logError } = options;
  let exiting = false;

  /**
   * Where the fault came from, for its log line; answers its page 500 when the render is traced and still running.
   * The first fault while the scope is unarmed arms it, so that every later fault is traced.
   */
  const locate = (): string => {
    if (!scope.armed) {
      // The first fault of a server that traces after it: this one cannot be traced, the next ones will be.
      scope.arm();
      return 'not traced to a render (faults are traced to their request from now on; traceFaults: always traces from the start)';
    }
    const page = scope.getStore();
    if (!page) return 'outside any render';
    const answered = options.answerFault(page);
    return `in the render of ${page.label}${answered ? '; answered 500' : ' (already answered)'}`;
  };

  const report = (kind: keyof typeof KINDS, error: unknown) => {
    const { counter, label } = KINDS[kind];
    const count = ++faults[counter];
    logError(`${TAG.ssr} ${label} ${locate()} (${label} ${count} since start; onFatal: ${options.onFatal}): ${describeError(error)}`);
    if (options.onFatal === 'exit') exitAfterDrain();
  };

  const exitAfterDrain = () => {
    if (exiting) return;
    exiting = true;
    const closed = options.close();
    logError(`${TAG.start} onFatal is exit: no new connections; draining ${options.inFlight()} request(s), then exiting with code 1.`);
    closed.then(() => (options.exit ?? process.exit)(1));
  };

  const onRejection = (reason: unknown) => report('unhandledRejection', reason);
  const onException = (error: unknown) => report('uncaughtException', error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
