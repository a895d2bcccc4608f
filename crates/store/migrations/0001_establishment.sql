-- Published store: one row per establishment, aggregates only.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
CREATE TABLE establishment (
    siret         TEXT PRIMARY KEY,
    name          TEXT,
    address       TEXT,
    naf           TEXT,
    naf_label     TEXT,
    section       TEXT,
    commune       TEXT,
    commune_name  TEXT,
    postcode      TEXT,
    basin         TEXT,
    basin_label   TEXT,
    lat           DOUBLE PRECISION,
    lng           DOUBLE PRECISION,
    headcount     BIGINT,
    hires         BIGINT,
    hires_women   BIGINT,
    hires_cdi     BIGINT,
    hires_cdd     BIGINT,
    women_share   DOUBLE PRECISION,
    cdi_share     DOUBLE PRECISION,
    score         DOUBLE PRECISION,
    band          TEXT NOT NULL,
    first_month   TEXT,
    last_month    TEXT,
    peer_group    TEXT,
    dimensions    TEXT NOT NULL,
    components    TEXT NOT NULL
);

CREATE INDEX establishment_basin ON establishment (basin);
CREATE INDEX establishment_section ON establishment (section);
CREATE INDEX establishment_band ON establishment (band);
CREATE INDEX establishment_score ON establishment (score);
