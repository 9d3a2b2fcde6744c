/**
 * rate-limiter: a login handler whose limiter is keyed by the client IP alone blocks every passenger behind one
 * ship NAT once a few of them log in. Where the function checks the password itself, attempts are re-keyed by
 * IP + account with the template's policy (checked before the password, failures recorded, reset on success,
 * a looser per-IP ceiling kept). Where it does not (a pre-flight route, a wrapper around NextAuth), there is no
 * account to key by: it is reported with the reason, and where the app already limits per account.
 */
import type { CallExpression } from 'ts-morph';
import { applyEdits, dropUnusedNamedImport, emptyResult, ensureNamedImport, noteAt, relPath, type Edit } from '../ast.ts';
import type { ChangeNote, Codemod } from '../types.ts';
import { ACCOUNT_KEY, LOGIN_PATH, keyedByIpAlone, keyedByIpInside, limiterCalls, loginFunctions, passwordChecks, perAccountLimiters } from './detect.ts';
import { rekeyLogin } from './rekey.ts';

const MEMO =
  "the memo's extra per-user key (`login:user:${user.id}`) is checked only after a successful login, so it never stops a password guess; the useful key for login attempts is IP + account, checked before the password, with a looser per-IP ceiling";

/** Routes and limiter names of account flows that are not logins. */
const OTHER_PURPOSE = /reset|forgot|sign-?up|register|verif|contact|invite|otp/i;

export const rateLimiter: Codemod = {
  id: 'rate-limiter',
  title: 'Key login attempts by IP + account, checked before the password (not by shared IP alone)',
  prefilter: (text, rel) => /limit|throttl|consume|attempt|\b429\b/i.test(text) && ((/password|secret|passphrase/i.test(text) && /(?:compare|verify|matches?|check\w*)\w*\s*\(/i.test(text)) || /authorize\s*[(:]/.test(text) || LOGIN_PATH.test(rel)),
  transform(ctx) {
    const result = emptyResult();
    const perAccount = perAccountLimiters(ctx.files, (sf) => relPath(ctx, sf));
    for (const sf of ctx.files) {
      const rel = relPath(ctx, sf);
      const edits: Edit[] = [];
      const changes: ChangeNote[] = [];
      const limiterNames: string[] = [];
      const seen = new Set<CallExpression>();
      // Innermost first: a call belongs to the nearest login function around it.
      for (const lf of loginFunctions(sf, rel).reverse()) {
        const verify = passwordChecks(lf.fn)[0];
        for (const call of limiterCalls(lf.body)) {
          if (seen.has(call)) continue;
          seen.add(call);
          const key = call.getArguments()[0]!;
          if (verify && call.getStart() > verify.getStart()) {
            if (/user\.id|userId|account/i.test(key.getText())) result.notes.push(noteAt(ctx, call, 'a per-user limiter checked after the password was verified: it cannot slow down guessing; left alone', MEMO));
            continue;
          }
          // Only a route whose path says login: a JWT check (verify(token, secret)) makes any route look like one.
          const inside = lf.kind === 'route' && LOGIN_PATH.test(rel) ? keyedByIpInside(call, lf.fn) : undefined;
          if (inside) {
            result.candidates.push(
              noteAt(ctx, call, `login limiter ${call.getExpression().getText()}(${key.getText()}, …) keys attempts by the client IP it reads inside (${inside}): every user behind one NAT or office proxy shares its budget. Pass it a key of IP + account (its optional identifier) where the account is known, before the password check, and keep only a per-IP ceiling well above the number of users who share an IP — by hand`, MEMO),
            );
            continue;
          }
          const ipOnly = keyedByIpAlone(key);
          if (!ipOnly) {
            if (ACCOUNT_KEY.test(key.getText())) result.notes.push(noteAt(ctx, call, 'limiter already keyed by the account (or IP + account): left alone'));
            continue;
          }
          // A password reset or sign-up that compares a password (reuse check) is not a login: its IP quota stays.
          if (lf.kind !== 'authorize' && !LOGIN_PATH.test(rel) && OTHER_PURPOSE.test(`${rel} ${call.getText()}`)) continue;
          const shown = key.getText().length > 40 ? `${key.getText().slice(0, 40)}…` : key.getText();
          // An IP limiter beside a per-account one checked before the password is the per-IP ceiling the fix
          // keeps (one checked after the password, like the memo's per-user key, stops no guess).
          const besideAccount = limiterCalls(lf.body).find((c) => c !== call && (!verify || c.getStart() < verify.getStart()) && ACCOUNT_KEY.test(c.getArguments()[0]!.getText()) && !keyedByIpAlone(c.getArguments()[0]!));
          if (besideAccount) {
            result.notes.push(noteAt(ctx, call, `limiter keyed by IP alone (${shown}) beside one keyed by the account (line ${besideAccount.getStartLineNumber()}): it is the per-IP ceiling; left alone`));
            continue;
          }
          if (!verify) {
            const elsewhere = perAccount.length ? `; attempts are already limited per account at ${perAccount.slice(0, 2).join(', ')}` : '';
            const why = /\[\.\.\.nextauth\]/.test(rel) ? ': it hands the request to NextAuth, which reads the account from the form body itself,' : ',';
            result.candidates.push(
              noteAt(ctx, call, `login limiter keyed by IP alone (${shown}): every user behind one NAT or office proxy shares its budget. This function checks no password${why} so there is no account to key it by here${elsewhere}: key attempts by IP + account where the password is checked, and keep only a per-IP ceiling well above the number of users who share an IP`, MEMO),
            );
            continue;
          }
          const rekey = rekeyLogin(lf, call, ipOnly.ipExpr, verify);
          if ('humanReason' in rekey) {
            result.candidates.push(noteAt(ctx, rekey.at, rekey.humanReason));
            continue;
          }
          edits.push(...rekey.edits);
          limiterNames.push(call.getExpression().getText().split('.')[0]!);
          changes.push(
            noteAt(ctx, call, `login attempts were limited by IP alone (${shown}): everyone behind one NAT shared one budget. Now keyed by IP + ${rekey.account} via checkLoginAllowed before the password check (looser per-IP ceiling kept), failures recorded on ${lf.kind === 'route' ? '401' : 'a rejected login'}, reset on success${lf.kind === 'route' ? ', 429 + Retry-After when refused' : ', refused as the app refused before'}`, MEMO),
          );
        }
      }
      if (edits.length === 0) continue;
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'overlapping rewrites in the login handler'));
        continue;
      }
      ensureNamedImport(sf, ctx.addTemplate('login-limiter', sf), ['checkLoginAllowed', 'recordLoginFailure', 'recordLoginSuccess']);
      for (const name of limiterNames) dropUnusedNamedImport(sf, name);
      result.changes.push(...changes);
    }
    return result;
  },
};
