export default function HomePage() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto', padding: '0 1rem' }}>
      <h1>크루즈 가이드 지니</h1>
      <p>승선 준비부터 기항지 관광까지, 크루즈 여행의 모든 것을 물어보세요.</p>
    </main>
  );
}
