-- A documents table for examples/rag-migration (PostgreSQL). psql "$PSQL_URL" -v n=500 -f seed.sql
-- :n documents of a few hundred characters each; document 7 is longer than the model's context (8,191 tokens),
-- so the embeddings API refuses any batch holding it, and ferry fails it alone.
\if :{?n}
\else
  \set n 500
\endif
DROP TABLE IF EXISTS documents;
CREATE TABLE documents (id bigint PRIMARY KEY, title text NOT NULL, content text NOT NULL);
INSERT INTO documents (id, title, content)
SELECT i, 'Document ' || i,
       CASE WHEN i = 7 THEN repeat('far too long for one embedding ', 2000)
            ELSE 'Document ' || i || ' is about topic ' || (i % 17) || '. ' || repeat('Lorem ipsum dolor sit amet ' || i || '. ', 1 + i % 9)
       END
FROM generate_series(1, :n) AS i;
