import { RenderDeadlines, type Deadline } from './render-deadlines';

interface Entry extends Deadline<Entry> {
  name: string;
}
const entry = (name: string): Entry => ({ name, deadline: 0, prev: undefined, next: undefined });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

it('expires each entry still listed once its own deadline passes, in start order, on one timer', () => {
  const expired: string[] = [];
  const deadlines = new RenderDeadlines<Entry>(1000, (e) => expired.push(e.name));
  const [a, b, c] = [entry('a'), entry('b'), entry('c')];
  deadlines.add(a);
  jest.advanceTimersByTime(400);
  deadlines.add(b);
  deadlines.add(c);
  expect(jest.getTimerCount()).toBe(1);
  jest.advanceTimersByTime(599);
  expect(expired).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(expired).toEqual(['a']);
  deadlines.remove(b);
  jest.advanceTimersByTime(400);
  expect(expired).toEqual(['a', 'c']);
  expect(deadlines.size).toBe(0);
  expect(jest.getTimerCount()).toBe(0);
});

it('removes the head, the tail and a middle entry, and ignores an entry removed twice or never added', () => {
  const expired: string[] = [];
  const deadlines = new RenderDeadlines<Entry>(50, (e) => expired.push(e.name));
  const all = ['a', 'b', 'c', 'd', 'e'].map(entry);
  for (const e of all) deadlines.add(e);
  deadlines.remove(all[0]);
  deadlines.remove(all[4]);
  deadlines.remove(all[2]);
  deadlines.remove(all[2]);
  deadlines.remove(entry('stranger'));
  expect(deadlines.size).toBe(2);
  jest.advanceTimersByTime(50);
  expect(expired).toEqual(['b', 'd']);
});

it('re-arms for the next deadline after the head finished early', () => {
  const expired: string[] = [];
  const deadlines = new RenderDeadlines<Entry>(100, (e) => expired.push(e.name));
  const [a, b] = [entry('a'), entry('b')];
  deadlines.add(a);
  jest.advanceTimersByTime(60);
  deadlines.add(b);
  deadlines.remove(a);
  jest.advanceTimersByTime(40);
  expect(expired).toEqual([]);
  jest.advanceTimersByTime(59);
  expect(expired).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(expired).toEqual(['b']);
});
