-- Hires by calendar year on the card (secrecy applied at publish), as JSON.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
ALTER TABLE establishment_card ADD COLUMN by_year TEXT NOT NULL DEFAULT '[]';
