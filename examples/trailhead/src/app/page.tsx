export default function Home() {
  return (
    <section>
      <h1>Trailhead</h1>
      <p>Log your summits, keep your club tallies, and ask the ranger before you set out.</p>
    </section>
  );
}
