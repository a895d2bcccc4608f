-- The card's JSON (dimensions and components, about 3 KB an establishment) in
-- a table of its own: the rows the list and the counts scan stay small (many
-- to a page instead of one), and only the card reads the JSON.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
CREATE TABLE establishment_card (
    siret      TEXT PRIMARY KEY,
    dimensions TEXT NOT NULL,
    components TEXT NOT NULL
);
INSERT INTO establishment_card (siret, dimensions, components)
    SELECT siret, dimensions, components FROM establishment;
ALTER TABLE establishment DROP COLUMN dimensions;
ALTER TABLE establishment DROP COLUMN components;
