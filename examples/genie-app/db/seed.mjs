// Seed data for local development, previews and load tests.
//
//   import pg from 'pg';
//   import { applySchema, seed } from './db/seed.mjs';
//   const client = new pg.Client({ connectionString }); await client.connect();
//   await applySchema(client);
//   const { testUser } = await seed(client, { users: 120 });
//
// Every seeded account has a known password (see userCredentials) so that test tools can log in as
// many different passengers at once.
import { randomBytes, scrypt } from 'node:crypto';
import { readFile } from 'node:fs/promises';

// Far cheaper than a production cost: hundreds of seed accounts must hash in well under a second,
// and load tests log them all in at once. Test accounts only.
// lib/password.ts reads the cost from each stored hash, so stronger hashes verify just as well.
const SCRYPT = { N: 1024, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** Email and password of seeded user `i` (1-based). */
export function userCredentials(i) {
  const n = String(i).padStart(3, '0');
  return { email: `user${n}@genie.test`, password: `genie-pass-${n}` };
}

/** Drops and recreates every table (db/schema.sql). */
export async function applySchema(client) {
  const sql = await readFile(new URL('./schema.sql', import.meta.url), 'utf8');
  await client.query(sql);
}

function hashPassword(password) {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, SCRYPT, (err, key) => {
      if (err) reject(err);
      else resolve(`scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('hex')}$${key.toString('hex')}`);
    });
  });
}

const FAMILY_NAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오'];
const GIVEN_NAMES = ['민준', '서연', '도윤', '하은', '지호', '수아', '예준', '지우', '현우', '서윤', '건우', '채원'];

const ITINERARIES = [
  '지중해 7박 크루즈',
  '알래스카 인사이드 패시지',
  '카리브해 동부 항로',
  '일본 규슈 & 부산 크루즈',
  '북유럽 피오르드 크루즈',
  '싱가포르 & 말레이시아 크루즈',
];

const CHECKLIST = [
  '여권 유효기간 확인 (6개월 이상)',
  '승선권 및 e-티켓 출력',
  '여행자 보험 가입',
  '멀미약 준비',
  '기항지 관광 예약 확인',
  '드레스 코드용 정장 챙기기',
  '110V 어댑터 준비',
  '선상 결제용 신용카드 등록',
];

const EXPENSE_TEMPLATES = [
  { description: '선상 스파 이용', amount: 120_000 },
  { description: '기항지 투어 예약', amount: 85_000 },
  { description: '스페셜티 레스토랑', amount: 64_000 },
  { description: '음료 패키지', amount: 98_000 },
  { description: '면세점 쇼핑', amount: 45_000 },
];

const PRODUCT_KINDS = [
  { kind: '음료 패키지', base: 89_000, description: '무제한 음료와 커피, 칵테일이 포함된 패키지' },
  { kind: '기항지 투어', base: 120_000, description: '현지 가이드와 함께하는 반나절 관광' },
  { kind: '스파 트리트먼트', base: 150_000, description: '바다 전망 스파에서 즐기는 마사지' },
  { kind: '와이파이 플랜', base: 35_000, description: '항해 중에도 끊김 없는 인터넷' },
  { kind: '스페셜티 다이닝', base: 70_000, description: '셰프 추천 코스 요리' },
];
const PRODUCT_PLACES = ['바르셀로나', '나폴리', '산토리니', '주노', '코수멜', '나가사키', '베르겐', '페낭', '두브로브니크', '시애틀'];

const KNOWLEDGE = [
  ['승선 수속 안내', '승선 수속은 출항 3시간 전부터 터미널에서 진행됩니다. 여권과 승선권, 신용카드를 준비하세요. 온라인 체크인을 마치면 대기 시간이 줄어듭니다.'],
  ['여권 및 비자', '대부분의 크루즈는 여권 유효기간이 귀국일 기준 6개월 이상 남아 있어야 합니다. 기항지마다 비자 요건이 다르니 출발 전 확인하세요.'],
  ['여권 사본 업로드', '여권 사본은 예약 후 발송되는 업로드 링크로 제출합니다. 사진 페이지 전체가 선명하게 보이도록 촬영해주세요.'],
  ['선상 팁 정책', '대부분의 선사는 1인 1박 기준 약 16달러의 서비스 팁을 선상 계정에 자동으로 청구합니다. 하선 전 고객 서비스 데스크에서 조정할 수 있습니다.'],
  ['선상 결제 방법', '선내에서는 현금 대신 선상 카드(크루즈 카드)로 결제합니다. 승선 시 신용카드를 등록하면 하선 전날 명세서를 받을 수 있습니다.'],
  ['와이파이와 인터넷', '선상 와이파이는 위성 통신을 사용해 육지보다 느릴 수 있습니다. 스트리밍 플랜과 기본 메시징 플랜 중에서 선택하세요.'],
  ['멀미 예방', '멀미가 걱정되면 배 중앙의 낮은 층 객실을 고르세요. 멀미약은 출항 한 시간 전에 복용하고, 의무실에서도 구할 수 있습니다.'],
  ['드레스 코드', '크루즈 기간 중 1~2회 포멀 나이트가 있습니다. 남성은 정장이나 재킷, 여성은 원피스나 드레스를 준비하면 좋습니다.'],
  ['기항지 관광 예약', '기항지 투어는 선사 상품이 귀선 시간을 보장합니다. 개별 관광 시에는 출항 30분 전까지 반드시 귀선해야 합니다.'],
  ['귀선 시간 (All aboard)', '귀선 시간은 보통 출항 30분 전입니다. 늦으면 배가 기다리지 않으니 다음 기항지까지 자비로 이동해야 합니다.'],
  ['짐 꾸리기', '짐은 승선 시 포터에게 맡기면 객실로 배달됩니다. 약, 여권, 귀중품은 반드시 휴대 가방에 넣으세요.'],
  ['전압과 콘센트', '대부분의 객실은 110V 미국식 콘센트를 사용합니다. 일부 선박은 220V 유럽식도 제공하니 멀티 어댑터를 챙기세요.'],
  ['식사와 레스토랑', '메인 다이닝과 뷔페는 요금에 포함되어 있습니다. 스페셜티 레스토랑은 별도 요금이 있으며 예약이 필요합니다.'],
  ['음료 패키지', '음료 패키지는 한 객실의 성인 모두가 같은 패키지를 구매해야 하는 경우가 많습니다. 생수와 커피는 기본 제공입니다.'],
  ['어린이 프로그램', '키즈 클럽은 연령대별로 운영되며 무료입니다. 야간 돌봄 서비스는 시간당 요금이 부과됩니다.'],
  ['의무실 이용', '선내 의무실은 24시간 응급 진료가 가능하지만 진료비가 비쌉니다. 해외 의료비를 보장하는 여행자 보험을 권장합니다.'],
  ['하선 절차', '하선 전날 밤 짐 태그를 받아 짐을 객실 밖에 내놓습니다. 하선 순서는 항공편 시간에 따라 배정됩니다.'],
  ['환전과 통화', '선내 통화는 대부분 미국 달러입니다. 기항지에서는 현지 통화나 카드를 사용하고, 소액 현금을 준비하면 편리합니다.'],
  ['객실 서비스', '룸서비스는 24시간 운영되며 일부 메뉴는 유료입니다. 객실 청소는 하루 두 번 제공됩니다.'],
  ['수영장과 자쿠지', '수영장은 보통 오전 7시부터 오후 10시까지 운영됩니다. 선베드 자리 맡기는 금지되어 있습니다.'],
  ['선상 공연', '극장 공연은 무료이며 인기 공연은 앱에서 미리 좌석을 예약하세요. 공연 일정은 매일 선상 신문에 안내됩니다.'],
  ['카지노 이용', '카지노는 공해상에서만 운영되며 만 18세 이상(일부 항로 21세) 이용 가능합니다.'],
  ['흡연 구역', '객실과 발코니에서는 흡연이 금지됩니다. 지정된 야외 흡연 구역만 이용하세요.'],
  ['반입 금지 물품', '다리미, 양초, 전열기구, 무기류는 반입할 수 없습니다. 주류는 선사 규정에 따라 제한됩니다.'],
  ['알래스카 크루즈 준비', '알래스카 항로는 여름에도 쌀쌀하니 방수 재킷과 겹쳐 입을 옷을 준비하세요. 빙하 관람은 갑판에서 가장 잘 보입니다.'],
  ['지중해 크루즈 팁', '지중해 기항지는 성당 입장 시 어깨와 무릎을 가리는 복장이 필요합니다. 한여름에는 자외선 차단제를 꼭 챙기세요.'],
  ['카리브해 해변 투어', '카리브해 기항지에서는 스노클링과 해변 투어가 인기입니다. 산호를 보호하는 리프 세이프 선크림을 사용하세요.'],
  ['일본 기항지 입국', '일본 기항지에서는 선내에서 입국 심사를 진행합니다. 안면 사진과 지문 등록이 있으니 여권을 휴대하세요.'],
  ['장애인 편의 시설', '휠체어 접근 가능 객실과 텐더 보트 이용 가능 여부를 예약 시 미리 알려주세요.'],
  ['예약 변경과 취소', '출항일 90일 전까지는 대부분 위약금 없이 취소할 수 있습니다. 이후에는 출항일에 가까울수록 위약금이 커집니다.'],
];

export async function seed(client, { users = 120 } = {}) {
  await client.query(
    'TRUNCATE expenses, checklist_items, sessions, trips, cruise_products, knowledge_base, users RESTART IDENTITY CASCADE',
  );

  const accounts = Array.from({ length: users }, (_, index) => {
    const i = index + 1;
    const name = FAMILY_NAMES[index % FAMILY_NAMES.length] + GIVEN_NAMES[Math.floor(index / FAMILY_NAMES.length) % GIVEN_NAMES.length];
    return { i, name, ...userCredentials(i) };
  });
  const hashes = await Promise.all(accounts.map((account) => hashPassword(account.password)));

  await client.query('BEGIN');
  try {
    const { rows: userRows } = await client.query(
      `INSERT INTO users (email, name, password_hash)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       RETURNING id, email`,
      [accounts.map((a) => a.email), accounts.map((a) => a.name), hashes],
    );
    const userIdByEmail = new Map(userRows.map((row) => [row.email, row.id]));
    const userIds = accounts.map((a) => userIdByEmail.get(a.email));

    const tripExpenses = accounts.map((_, index) => [
      EXPENSE_TEMPLATES[index % EXPENSE_TEMPLATES.length],
      EXPENSE_TEMPLATES[(index + 2) % EXPENSE_TEMPLATES.length],
    ]);
    const { rows: tripRows } = await client.query(
      `INSERT INTO trips (user_id, name, active, total_spent)
       SELECT user_id, name, true, total_spent FROM unnest($1::int[], $2::text[], $3::int[]) AS t(user_id, name, total_spent)
       RETURNING id, user_id`,
      [
        userIds,
        accounts.map((_, index) => ITINERARIES[index % ITINERARIES.length]),
        tripExpenses.map((expenses) => expenses.reduce((sum, e) => sum + e.amount, 0)),
      ],
    );
    const tripIdByUser = new Map(tripRows.map((row) => [row.user_id, row.id]));

    const expenseRows = userIds.flatMap((userId, index) =>
      tripExpenses[index].map((e) => ({ tripId: tripIdByUser.get(userId), ...e })),
    );
    await client.query(
      `INSERT INTO expenses (trip_id, amount, description)
       SELECT * FROM unnest($1::int[], $2::int[], $3::text[])`,
      [expenseRows.map((e) => e.tripId), expenseRows.map((e) => e.amount), expenseRows.map((e) => e.description)],
    );

    const checklistRows = userIds.flatMap((userId, index) =>
      Array.from({ length: 5 }, (_, k) => ({
        userId,
        text: CHECKLIST[(index + k) % CHECKLIST.length],
        completed: k < index % 3,
      })),
    );
    await client.query(
      `INSERT INTO checklist_items (user_id, text, completed)
       SELECT * FROM unnest($1::int[], $2::text[], $3::bool[])`,
      [checklistRows.map((c) => c.userId), checklistRows.map((c) => c.text), checklistRows.map((c) => c.completed)],
    );

    const products = PRODUCT_PLACES.flatMap((place, p) =>
      PRODUCT_KINDS.map((kind, k) => ({
        name: `${place} ${kind.kind}`,
        description: kind.description,
        price: kind.base + p * 5_000,
        popularity: (p * 37 + k * 53) % 1000,
      })),
    );
    await client.query(
      `INSERT INTO cruise_products (name, description, price, popularity)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[])`,
      [products.map((x) => x.name), products.map((x) => x.description), products.map((x) => x.price), products.map((x) => x.popularity)],
    );

    await client.query(
      `INSERT INTO knowledge_base (title, content)
       SELECT * FROM unnest($1::text[], $2::text[])`,
      [KNOWLEDGE.map(([title]) => title), KNOWLEDGE.map(([, content]) => content)],
    );

    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }

  return { testUser: userCredentials(1) };
}
