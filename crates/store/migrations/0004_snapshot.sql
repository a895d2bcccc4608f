-- Generation of the published snapshot: every publish adds one, in its own
-- transaction, so a server that caches answers can tell whether they are
-- still those of the current snapshot.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
CREATE TABLE snapshot (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO snapshot (id, generation) VALUES (1, 0);
