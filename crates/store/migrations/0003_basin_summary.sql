-- Hires from priority publics (published from 11 hires) and the basin
-- summaries behind the choropleth and the comparison of basins.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
ALTER TABLE establishment ADD COLUMN hires_priority BIGINT;

CREATE TABLE basin_summary (
    basin          TEXT PRIMARY KEY,
    label          TEXT NOT NULL,
    establishments BIGINT NOT NULL,
    calculable     BIGINT NOT NULL,
    median_score   DOUBLE PRECISION,
    -- The whole ancrage_published::BasinSummary (sectors included), as JSON.
    summary        TEXT NOT NULL
);
