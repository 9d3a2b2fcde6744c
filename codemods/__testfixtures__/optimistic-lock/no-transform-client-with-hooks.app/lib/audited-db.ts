import { PrismaClient } from '@prisma/client';

// Every update is written to an audit log by a query hook keyed by the operation: updateMany would not be logged.
export const db = new PrismaClient().$extends({
  query: {
    $allModels: {
      async update({ args, query }) {
        const result = await query(args);
        console.info('audit: update', JSON.stringify(args.where));
        return result;
      },
    },
  },
});
