export function ProfileCard({ name }: { name: string }) {
  return <aside data-side="client">Signed in as {name}</aside>;
}
