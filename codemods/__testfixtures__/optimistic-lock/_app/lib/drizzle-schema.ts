// Drizzle tables of the fixtures: a page-view counter and a voucher whose uses are capped.
import { integer, pgTable, text } from 'drizzle-orm/pg-core';

export const pageStats = pgTable('page_stats', {
  slug: text('slug').primaryKey(),
  views: integer('views').notNull().default(0),
  title: text('title').notNull(),
});

export const vouchers = pgTable('vouchers', {
  code: text('code').primaryKey(),
  used: integer('used').notNull().default(0),
  maxUses: integer('max_uses').notNull(),
});
