// A MySQL table: its update builder has no .returning().
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

export const tickets = mysqlTable('tickets', {
  id: varchar('id', { length: 36 }).primaryKey(),
  remaining: int('remaining').notNull(),
});
