// genie-fix's Artillery processor: the checks a YAML step cannot make (copied as is next to the exported
// scripts by `genie-fix export artillery`). Each function emits custom counters (`genie.*`) that the scripts'
// `ensure` conditions read. Plain CommonJS with Node built-ins only, so any Artillery worker can load it.
'use strict';
const { createHash } = require('node:crypto');

function count(events, name, value = 1) {
  events.emit('counter', name, value);
}

function fill(pattern, n) {
  return String(pattern).replace(/\{n(?::(\d+))?\}/g, (_, width) => String(n).padStart(Number(width || 0), '0'));
}

let nextAccount = 0;

function passwordPattern() {
  const pattern = process.env.GENIE_ACCOUNT_PASSWORD;
  if (!pattern) throw new Error('GENIE_ACCOUNT_PASSWORD is not set: export the password pattern of the seeded accounts');
  return pattern;
}

/** beforeScenario: a distinct seeded account per virtual user (per worker: workers start at different offsets). */
function pickAccount(context, events, done) {
  const v = context.vars;
  const offset = Number(process.env.LOCAL_WORKER_ID || 0) * 7919;
  const n = Number(v.accountFirst) + ((offset + nextAccount++) % Number(v.accountCount));
  try {
    v.password = fill(passwordPattern(), n);
  } catch (err) {
    return done(err);
  }
  v.email = fill(v.accountEmail, n);
  // shared-ip-login: the first virtual user of each worker also plays the brute-forcer.
  v.bruteForcer = nextAccount === 1;
  return done();
}

/** beforeScenario: the first seeded account (the one the before/after flows use). */
function ownerAccount(context, events, done) {
  const v = context.vars;
  try {
    v.password = fill(passwordPattern(), Number(v.accountFirst));
  } catch (err) {
    return done(err);
  }
  v.email = fill(v.accountEmail, Number(v.accountFirst));
  return done();
}

/** afterResponse: every answer counts as a request; 5xx, 429 and timeouts as errors (pool-exhaustion). */
function countOutcome(req, res, context, events, done) {
  count(events, 'genie.requests');
  // Artillery drops counters that stay 0: count the good outcome, conditions subtract.
  if (!(res.statusCode >= 500 || res.statusCode === 429)) count(events, 'genie.ok_requests');
  return done();
}

/** The text of an AI SDK data stream (`0:"text"` parts), its error parts and finish reason. */
function parseDataStream(body) {
  let text = '';
  let errors = 0;
  let finish = null;
  for (const line of String(body || '').split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const kind = line.slice(0, i);
    let value;
    try {
      value = JSON.parse(line.slice(i + 1));
    } catch {
      continue;
    }
    if (kind === '0' && typeof value === 'string') text += value;
    else if (kind === '3') errors++;
    else if (kind === 'd') finish = value && value.finishReason;
  }
  return { text, errors, finish };
}

const FALLBACK_TEXT = /일시적으로 사용 불가|temporarily unavailable/;

/** afterResponse on the chat request: a user-visible AI failure is an HTTP error, an error part, the fallback
 *  text, an error finish, a missing finish or an empty reply (gemini-429). */
function checkChatReply(req, res, context, events, done) {
  const r = parseDataStream(res.body);
  const failed =
    res.statusCode !== 200 || r.errors > 0 || FALLBACK_TEXT.test(r.text) || r.finish === 'error' || r.finish === null || r.text.trim() === '';
  count(events, 'genie.chats');
  if (!failed) count(events, 'genie.ok_chats');
  return done();
}

const LONG_HEADER = /^<<genie-long v1 chars=(\d+) sha256=([0-9a-f]{64})>>\n/;

/** afterResponse on a long chat reply: whole when its header's length and SHA-256 match the body
 *  (buffer-truncation; the header comes from genie-fix's mock Gemini). */
function checkLongReply(req, res, context, events, done) {
  const r = parseDataStream(res.body);
  const header = LONG_HEADER.exec(r.text);
  let whole = false;
  if (header && r.finish !== null && r.finish !== 'error') {
    const body = r.text.slice(header[0].length);
    whole = body.length === Number(header[1]) && createHash('sha256').update(body, 'latin1').digest('hex') === header[2];
  }
  count(events, 'genie.long_replies');
  if (whole) count(events, 'genie.whole_long_replies');
  return done();
}

/** afterResponse on POST expenses: a 2xx is a write the app acknowledged (lost-update). */
function countAcknowledged(req, res, context, events, done) {
  count(events, 'genie.writes_acknowledged', res.statusCode >= 200 && res.statusCode < 300 ? 1 : 0);
  count(events, 'genie.writes_rejected', res.statusCode === 409 ? 1 : 0);
  return done();
}

/** afterResponse on the final GET expenses (after flow): the total the app shows, 1 per acknowledged write. */
function countReflected(req, res, context, events, done) {
  let total = 0;
  try {
    total = Number(JSON.parse(res.body).trip.totalSpent) || 0;
  } catch {
    total = 0;
  }
  // Metrics of before/after flows never reach Artillery's report: print the figure instead.
  console.log(`genie lost-update: reflected ${total}`);
  return done();
}

/** afterResponse on logins: blocked legitimate logins (shared-ip-login). */
function countLogin(req, res, context, events, done) {
  count(events, 'genie.logins');
  if (res.statusCode !== 429) count(events, 'genie.ok_logins');
  return done();
}

/** afterResponse on wrong-password attempts: allowed (401) vs limited (429). */
function countBruteForce(req, res, context, events, done) {
  count(events, 'genie.bruteforce_attempts');
  count(events, 'genie.bruteforce_limited', res.statusCode === 429 ? 1 : 0);
  return done();
}

module.exports = {
  pickAccount,
  ownerAccount,
  countOutcome,
  checkChatReply,
  checkLongReply,
  countAcknowledged,
  countReflected,
  countLogin,
  countBruteForce,
};
