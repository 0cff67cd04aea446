export function ProfileCard({ name }: { name: string }) {
  return <aside data-side="server">Signed in as {name}</aside>;
}
