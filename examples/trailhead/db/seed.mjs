// Fills a fresh Trailhead database for previews and load tests:
//   const { testUser } = await seed(pgClient, { users: 120 });
// Hiker n (1-based) signs in as username `hiker<n:3>` with password `summit-<n:3>`, so a load tool
// can sign in as many distinct hikers at once.
import { randomUUID, randomBytes, scrypt } from 'node:crypto';

// Deliberately cheap: a load test signs in 100+ hikers at once. Real accounts would use a higher cost;
// src/server/passwords.ts reads the cost back from each stored hash.
const COST = { N: 1024, r: 8, p: 1 };

export function hikerCredentials(n) {
  const k = String(n).padStart(3, '0');
  return { username: `hiker${k}`, email: `hiker${k}@trailhead.test`, password: `summit-${k}` };
}

function hashSecret(secret) {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, COST, (err, key) =>
      err ? reject(err) : resolve(`${COST.N}.${COST.r}.${COST.p}:${salt.toString('base64')}:${key.toString('base64')}`),
    ),
  );
}

const FIRST = ['Ada', 'Bo', 'Cleo', 'Dario', 'Esme', 'Finn', 'Greta', 'Hugo', 'Iris', 'Jonas', 'Kaia', 'Lior'];
const LAST = ['Moss', 'Ridge', 'Fern', 'Stone', 'Brook', 'Vale', 'Pine', 'Cairn', 'Heath', 'Tarn'];
const REGIONS = ['Highlands', 'Coastal', 'Lakes', 'Canyon', 'Forest', 'Alpine'];
const FEATURES = ['Falls Loop', 'Ridge Traverse', 'Summit Path', 'Lake Circuit', 'Gorge Walk'];
const NOTES = [
  'Exposed above the tree line; carry a wind layer.',
  'Muddy after rain, poles help on the descent.',
  'Water at the halfway hut from May to October.',
  'Narrow ledges for 300 m; not for dogs.',
  'Shaded most of the way, good on hot days.',
];

export async function seed(client, { users = 120 } = {}) {
  await client.query('TRUNCATE tallies, summits, access_tokens, trails, hikers CASCADE');

  const hikers = await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      const creds = hikerCredentials(i + 1);
      return {
        id: randomUUID(),
        ...creds,
        displayName: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
        secretHash: await hashSecret(creds.password),
      };
    }),
  );

  const trails = REGIONS.flatMap((region, r) =>
    FEATURES.map((feature, f) => ({
      id: randomUUID(),
      name: `${region} ${feature}`,
      region,
      lengthKm: 4 + ((r * 7 + f * 3) % 19),
      ascentM: 120 + ((r * 311 + f * 97) % 1400),
      rating: (r * 17 + f * 29) % 100,
      notes: NOTES[(r + f) % NOTES.length],
    })),
  );

  const summits = hikers.flatMap((h, i) =>
    [0, 1, 2].slice(0, (i % 3) + 1).map((k) => ({ id: randomUUID(), hikerId: h.id, trailId: trails[(i * 5 + k) % trails.length].id })),
  );

  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO hikers (id, username, email, display_name, secret_hash)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [hikers.map((h) => h.id), hikers.map((h) => h.username), hikers.map((h) => h.email), hikers.map((h) => h.displayName), hikers.map((h) => h.secretHash)],
    );
    await client.query(
      `INSERT INTO trails (id, name, region, length_km, ascent_m, rating, notes)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::int[], $6::int[], $7::text[])`,
      [trails.map((t) => t.id), trails.map((t) => t.name), trails.map((t) => t.region), trails.map((t) => t.lengthKm), trails.map((t) => t.ascentM), trails.map((t) => t.rating), trails.map((t) => t.notes)],
    );
    await client.query(
      `INSERT INTO summits (id, hiker_id, trail_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [summits.map((s) => s.id), summits.map((s) => s.hikerId), summits.map((s) => s.trailId)],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }

  const first = hikerCredentials(1);
  // The lab prints testUser; `email` is what its contract names, `username` is what this app's sign-in reads.
  return { testUser: { email: first.email, username: first.username, password: first.password } };
}
