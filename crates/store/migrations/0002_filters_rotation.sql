-- Columns behind the counselor's filters (département, NAF division, size,
-- profile focus), the strengths shown in lists and the fair daily rotation.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
ALTER TABLE establishment ADD COLUMN departement TEXT;
ALTER TABLE establishment ADD COLUMN division TEXT;
ALTER TABLE establishment ADD COLUMN division_label TEXT;
ALTER TABLE establishment ADD COLUMN size_band TEXT;
ALTER TABLE establishment ADD COLUMN band_rank INTEGER NOT NULL DEFAULT 4;
ALTER TABLE establishment ADD COLUMN rotation BIGINT NOT NULL DEFAULT 1;
ALTER TABLE establishment ADD COLUMN strengths TEXT NOT NULL DEFAULT '[]';
ALTER TABLE establishment ADD COLUMN pos_young DOUBLE PRECISION;
ALTER TABLE establishment ADD COLUMN pos_senior DOUBLE PRECISION;
ALTER TABLE establishment ADD COLUMN pos_boeth DOUBLE PRECISION;
ALTER TABLE establishment ADD COLUMN pos_no_experience DOUBLE PRECISION;
ALTER TABLE establishment ADD COLUMN pos_long_gap DOUBLE PRECISION;
ALTER TABLE establishment ADD COLUMN pos_long_sick DOUBLE PRECISION;
ALTER TABLE establishment ADD COLUMN pos_aided DOUBLE PRECISION;

CREATE INDEX establishment_departement ON establishment (departement);
CREATE INDEX establishment_division ON establishment (division);
CREATE INDEX establishment_size_band ON establishment (size_band);
CREATE INDEX establishment_order ON establishment (band_rank, rotation);
