import type { Scenario } from './types.ts';
import { cut, n } from './measure.ts';
import { accountAt, accountCount } from '../src/config.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import { CookieJar } from '../src/load/cookies.ts';
import { isHtml } from '../src/load/http.ts';
import { logIn, loginTemplate, loginVars } from '../src/target/login.ts';
import { sendTemplate } from '../src/target/send.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { MetricValue } from '../src/report/types.ts';

/**
 * Passengers behind one ship NAT share an IP. We never spoof X-Forwarded-For: every login comes
 * from this machine's one address, as it would from the ship. Runs last: it spends the IP's budget.
 */
export const sharedIpLogin: Scenario = {
  id: 'shared-ip-login',
  title: 'Many users behind one IP can log in; brute force is still limited',
  writes: false,

  async run(ctx) {
    const { client, config, signal } = ctx;
    if (config.target && !config.target.login) {
      const reason = `the target description has no login (session kind ${config.target.session.kind}), so there is no login limiter to measure`;
      const metrics: Record<string, MetricValue> = {};
      return { metrics, evidence: [], unmeasured: { verdict: 'skip' as const, reason } };
    }
    const t = config.timeouts.requestMs;
    const distinct = Math.min(ctx.users, accountCount(config));
    const timeline = new Timeline();
    let ok = 0;
    let blocked = 0;
    let otherFailures = 0;
    let html = 0;
    const failureSamples: unknown[] = [];
    const failuresByStatus = new Map<string, number>();
    // The login as the target description has it (else the sample app's POST {email, password} to routes.login).
    const login = loginTemplate(config);
    const runId = Date.now().toString(36);
    const ids = Array.from({ length: distinct }, (_, i) => i);
    await forEachConcurrent(ids, distinct, signal, async (i) => {
      const a = accountAt(config, i);
      const jar = new CookieJar();
      const { res } = await logIn(client, config, a, jar, { vu: i, run: runId, timeoutMs: t });
      if (res.errorClass === 'aborted') return;
      timeline.record(res.status >= 200 && res.status < 300, res.durationMs, res.startedAt + res.durationMs);
      if (isHtml(res)) html++;
      if (res.status >= 200 && res.status < 300) ok++;
      else if (res.status === 429) blocked++;
      else {
        otherFailures++;
        const key = res.status === 0 ? `${res.errorClass ?? 'no answer'}` : `HTTP ${res.status}`;
        failuresByStatus.set(key, (failuresByStatus.get(key) ?? 0) + 1);
        if (failureSamples.length < 3) failureSamples.push({ status: res.status, body: cut(res.text || res.errorMessage || '', 160) });
      }
    });
    if (html > 0 && html === ok + blocked + otherFailures) {
      throw new Error(`${login.method} ${login.path} answered HTML where JSON was expected; set target.login (or routes.login) in --config`);
    }
    // Not one login got through or was limited: "0 blocked" would be read as a pass, but nothing about
    // the limiter was measured. The brute-force half would only measure the same failure again.
    if (otherFailures > 0 && ok === 0 && blocked === 0) {
      const how = [...failuresByStatus].map(([k, c]) => `${k} ×${c}`).join(', ');
      return {
        metrics: { users: distinct, loginsOk: 0, legitBlocked: 0, legitOtherFailures: otherFailures },
        evidence: [{ kind: 'login-failures', message: `every login failed (${how})`, samples: failureSamples }],
        timeline: timeline.points(),
        unmeasured: {
          verdict: 'error',
          reason: `every one of the ${otherFailures} logins failed (${how}), so whether one IP gets blocked could not be measured; check routes.login and credentials in --config, and that the login route works`,
        },
      };
    }

    // Brute force: wrong passwords on one account (one not used above when there is one to spare).
    const victim = accountAt(config, distinct < accountCount(config) ? distinct : 0);
    const attempts = config.payloads.bruteForceAttempts;
    let bruteLimitedAt: number | null = null;
    let bruteAccepted = 0;
    for (let i = 1; i <= attempts && !signal.aborted; i++) {
      const wrong = loginVars({ email: victim.email, password: `wrong-password-${i}` }, i, runId);
      const { res } = await sendTemplate(client, login, wrong, undefined, t);
      if (res.status === 429) {
        bruteLimitedAt = i;
        break;
      }
      if (res.status >= 200 && res.status < 300) bruteAccepted++;
    }
    const metrics: Record<string, MetricValue> = {
      users: distinct,
      loginsOk: ok,
      legitBlocked: blocked,
      legitOtherFailures: otherFailures,
      loginsSpentBefore: ctx.sessions.loginsSpent,
      bruteForceAttempts: bruteLimitedAt ?? attempts,
      bruteForceLimited: bruteLimitedAt !== null,
      bruteForceLimitedAtAttempt: bruteLimitedAt,
      bruteForceAccepted: bruteAccepted,
    };
    const evidence = [];
    if (blocked) {
      evidence.push({
        kind: 'legit-logins-blocked',
        message: `${blocked} of ${distinct} distinct users with correct passwords got HTTP 429 from one shared IP (the run spent ${ctx.sessions.loginsSpent} logins before this scenario)`,
      });
    }
    if (bruteLimitedAt === null) {
      evidence.push({ kind: 'brute-force-open', message: `${attempts} wrong passwords on one account were never limited` });
    }
    if (otherFailures) evidence.push({ kind: 'login-failures', message: `${otherFailures} logins failed with something other than 429`, samples: failureSamples });
    return { metrics, evidence, timeline: timeline.points() };
  },

  summarize(m) {
    const brute = m.bruteForceLimited ? `limited after ${m.bruteForceLimitedAtAttempt} attempts` : `not limited in ${n(m, 'bruteForceAttempts')} attempts`;
    return `${n(m, 'legitBlocked')} of ${n(m, 'users')} users logging in from one IP were blocked; brute force on one account ${brute}.`;
  },
};
