/**
 * Whose API key a Gemini call spends. When each caller brings their own (a key from the request's headers or
 * body, or from the signed-in user's profile), their quotas are separate: one shared queue and one shared 429
 * cool-down would make one user's exhausted quota delay everyone else. Such a call is left alone.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { initializerOf, referencedNames } from '../ast.ts';

const FROM_CALLER = /\b(?:req|request)\s*\.\s*(?:headers|json|body|formData|nextUrl)\b|\bheaders\s*\(\s*\)|\bcookies\s*\(\s*\)|\bprofile\b|\bsession\b|\bgetServerProfile\b|\bcurrentUser\b|\buser\s*\.\s*\w*(?:api)?key/i;
const KEY_NAME = /api[_-]?key|apikey|\bkey\b|token/i;

/** The expression the call passes as its API key: `?key=${x}`, an `x-goog-api-key` header, an SDK constructor's key. */
function keyExpressions(call: CallExpression): Node[] {
  const out: Node[] = [];
  // The call's own text, and arguments kept in locals (`fetch(url, fetchOptions)`).
  const args = call.getArguments().filter(Node.isIdentifier).map((a) => initializerOf(call, a.getText())).filter((n): n is Node => n !== undefined);
  for (const n of [...call.getDescendants(), ...args.flatMap((a) => [a, ...a.getDescendants()])]) {
    if (Node.isTemplateExpression(n)) {
      const head = n.getHead().getText();
      if (/[?&]key=\$\{$/.test(head)) out.push(n.getTemplateSpans()[0]!.getExpression());
      for (const [i, span] of n.getTemplateSpans().entries()) if (/[?&]key=\$\{$/.test(span.getLiteral().getText()) && n.getTemplateSpans()[i + 1]) out.push(n.getTemplateSpans()[i + 1]!.getExpression());
    }
    if (Node.isPropertyAssignment(n) && /^['"]?(?:x-goog-api-key|apiKey|api_key|key)['"]?$/i.test(n.getName())) out.push(n.getInitializerOrThrow());
  }
  // The SDK client the call goes through: `new GoogleGenerativeAI(key)`, `new GoogleGenAI({ apiKey })`.
  // Followed back a few steps: `model.generateContent` ← `genAI.getGenerativeModel(…)` ← `new GoogleGenerativeAI(key)`.
  const chain: Node[] = [];
  let root = call.getExpression().getText().split('.')[0]!;
  for (let i = 0; i < 4; i++) {
    const init = initializerOf(call, root);
    if (!init) break;
    chain.push(init);
    const next = init.getText().replace(/^await\s+/, '').split(/[.(]/)[0]!;
    if (!/^[A-Za-z_$][\w$]*$/.test(next) || next === root) break;
    root = next;
  }
  for (const n of chain.flatMap((c) => [c, ...c.getDescendants()])) {
    if (Node.isNewExpression(n) && /Google(?:Generative)?AI|GoogleGenAI/.test(n.getExpression().getText())) {
      const first = n.getArguments()[0];
      if (first && !Node.isObjectLiteralExpression(first)) out.push(first);
      else if (first) for (const p of first.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) if (KEY_NAME.test(p.getName())) out.push(p.getInitializerOrThrow());
    }
  }
  return out;
}

/** True when the text, or the locals it is built from (a few steps back), reads the caller's request or profile. */
function fromCaller(node: Node, depth = 0): boolean {
  if (FROM_CALLER.test(node.getText())) return true;
  if (depth > 4) return false;
  return referencedNames(node).some((name) => {
    if (name === 'process' || name === 'env') return false;
    const init = initializerOf(node, name);
    return init !== undefined && fromCaller(init, depth + 1);
  });
}

/** Why the call spends the caller's own key, or undefined when the key is the server's. */
export function callerOwnKey(call: CallExpression): string | undefined {
  const key = keyExpressions(call).find((k) => fromCaller(k));
  return key ? `its API key (${key.getText().slice(0, 40)}) comes from the caller, so quotas are per user and one shared queue would let one user's exhausted quota delay everyone` : undefined;
}
