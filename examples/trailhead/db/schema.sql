-- Trailhead tables, kept by hand in step with prisma/schema.prisma. Running it again starts empty.
DROP TABLE IF EXISTS tallies, summits, access_tokens, trails, hikers CASCADE;

CREATE TABLE hikers (
  id           TEXT PRIMARY KEY,
  username     TEXT NOT NULL UNIQUE,
  email        TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,
  joined_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE access_tokens (
  token      TEXT PRIMARY KEY,
  hiker_id   TEXT NOT NULL REFERENCES hikers(id) ON DELETE CASCADE,
  expires_at TIMESTAMP(3) NOT NULL
);
CREATE INDEX access_tokens_hiker_id_idx ON access_tokens(hiker_id);

CREATE TABLE trails (
  id        TEXT PRIMARY KEY,
  name      TEXT NOT NULL,
  region    TEXT NOT NULL,
  length_km DOUBLE PRECISION NOT NULL,
  ascent_m  INTEGER NOT NULL,
  rating    INTEGER NOT NULL,
  notes     TEXT NOT NULL
);
CREATE INDEX trails_region_idx ON trails(region);

CREATE TABLE summits (
  id        TEXT PRIMARY KEY,
  hiker_id  TEXT NOT NULL REFERENCES hikers(id) ON DELETE CASCADE,
  trail_id  TEXT NOT NULL REFERENCES trails(id) ON DELETE CASCADE,
  logged_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX summits_hiker_id_idx ON summits(hiker_id);

CREATE TABLE tallies (
  id         TEXT PRIMARY KEY,
  hiker_id   TEXT NOT NULL REFERENCES hikers(id) ON DELETE CASCADE,
  label      TEXT NOT NULL,
  points     INTEGER NOT NULL DEFAULT 0,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX tallies_hiker_id_idx ON tallies(hiker_id);
