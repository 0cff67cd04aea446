import { CartWidget } from 'sample-cart/widget';
import { ProfileCard } from 'sample-profile/card';

export function App() {
  return (
    <main>
      <ProfileCard name="Ada" />
      <CartWidget unitCents={1250} />
    </main>
  );
}
