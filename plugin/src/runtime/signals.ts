/** Process signals of a running server: SIGTERM / SIGINT stop it gracefully, SIGHUP reloads its generation. */
import { TAG } from '../constants';
import { describeError } from './request-tracker';

export interface SignalOptions {
  close(): Promise<void>;
  reload(): Promise<void>;
  /** Read when a signal arrives, for the log lines. */
  inFlight(): number;
  generation(): number;
  /** Exit the process (code 0) once a signal-triggered stop is done. */
  exitOnSignal: boolean;
  log: (line: string) => void;
  logError: (line: string) => void;
}

/** Installs the handlers; returns the function that removes them. */
export function handleSignals(options: SignalOptions): () => void {
  const stop = (signal: string) => {
    // Closed first, so the line is true when it is read: the listener is gone by then.
    const closed = options.close();
    options.log(`${TAG.start} ${signal}: no new connections; draining ${options.inFlight()} request(s) in flight.`);
    closed.then(() => {
      options.log(`${TAG.start} stopped.`);
      if (options.exitOnSignal) process.exit(0);
    });
  };
  const reload = () => {
    options.reload().catch((error) => {
      // Our own messages name the file and the fix: a stack would bury them. Anything else is a bug: keep its stack.
      const message = (error as Error)?.message;
      const reason = typeof message === 'string' && message.startsWith('[esmx:') ? message : describeError(error);
      options.logError(`${TAG.ssr} SIGHUP reload refused; still serving generation ${options.generation()}: ${reason}`);
    });
  };
  const listeners: [NodeJS.Signals, () => void][] = [
    ['SIGTERM', () => stop('SIGTERM')],
    ['SIGINT', () => stop('SIGINT')],
    ['SIGHUP', reload],
  ];
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
