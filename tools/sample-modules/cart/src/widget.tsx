import { useState } from 'react';
import { formatPrice } from 'sample-shared/format';

export function CartWidget({ unitCents }: { unitCents: number }) {
  const [count, setCount] = useState(0);
  return <button onClick={() => setCount(count + 1)}>Cart: {count} ({formatPrice(count * unitCents)})</button>;
}
