import { printThrown } from './print-thrown';

function printed(error: unknown): string {
  const out: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  try {
    printThrown(error);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('printThrown', () => {
  it('prints our own (tagged) error as its message alone, with no stack', () => {
    const error = new Error('[esmx:link] expected to update dist within 30 s, but process 7 still holds its lock. Fix: wait.');
    expect(printed(error)).toBe(`${error.message}\n`);
  });

  it('prints anything else with its stack: it is a bug', () => {
    const error = new TypeError('x is not a function');
    expect(printed(error)).toBe(`${error.stack}\n`);
    expect(printed('plain')).toBe('plain\n');
  });
});
