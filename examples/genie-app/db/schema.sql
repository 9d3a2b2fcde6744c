-- Cruise Guide Genie schema. Mirrors prisma/schema.prisma; re-running it starts from empty tables.

DROP TABLE IF EXISTS expenses, checklist_items, sessions, trips, cruise_products, knowledge_base, users CASCADE;

CREATE TABLE users (
  id            SERIAL PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE sessions (
  id         TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at TIMESTAMP(3) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX sessions_user_id_idx ON sessions(user_id);

CREATE TABLE trips (
  id          SERIAL PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  active      BOOLEAN NOT NULL DEFAULT false,
  total_spent INTEGER NOT NULL DEFAULT 0,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX trips_user_id_active_idx ON trips(user_id, active);

CREATE TABLE checklist_items (
  id         SERIAL PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  text       TEXT NOT NULL,
  completed  BOOLEAN NOT NULL DEFAULT false,
  version    INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX checklist_items_user_id_idx ON checklist_items(user_id);

CREATE TABLE expenses (
  id          SERIAL PRIMARY KEY,
  trip_id     INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
  amount      INTEGER NOT NULL,
  description TEXT NOT NULL,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX expenses_trip_id_idx ON expenses(trip_id);

CREATE TABLE cruise_products (
  id          SERIAL PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL,
  price       INTEGER NOT NULL,
  popularity  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cruise_products_popularity_idx ON cruise_products(popularity);

CREATE TABLE knowledge_base (
  id      SERIAL PRIMARY KEY,
  title   TEXT NOT NULL,
  content TEXT NOT NULL
);
