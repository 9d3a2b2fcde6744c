// Drizzle tables of the fixtures: a page-view counter, a voucher whose uses are capped, prepaid credits, a seat booking,
// settings kept as one JSON document.
import { integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

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

export const wallets = pgTable('wallets', {
  id: text('id').primaryKey(),
  ownerId: text('owner_id').notNull(),
  credits: integer('credits').notNull().default(0),
  note: text('note'),
});

export const flights = pgTable('flights', {
  id: integer('id').primaryKey(),
  seatsLeft: integer('seats_left').notNull(),
  status: text('status').notNull(),
});

export const profiles = pgTable('profiles', {
  userId: text('user_id').primaryKey(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
});
