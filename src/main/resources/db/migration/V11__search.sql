-- Full-text search over messages (GET /v1/search): the text search configuration its index and queries share.
-- Never edit this file after it has landed; add a later migration instead. The index itself is built by
-- V15__search_index.sql, outside a transaction, so that building it on a large messages table never blocks sends.
--
-- Bodies are in any language, often several in one conversation, so no language's stemmer fits them: an English
-- stemmer would turn German and Russian words into nonsense stems, and a stop word list of one language drops words
-- that matter in another. courier_search is PostgreSQL's `simple` configuration (every word kept as written, folded to
-- lower case) behind the `unaccent` dictionary, so that "Straße" and "strasse", "café" and "cafe", "ёлка" and "елка"
-- find each other. The price: no stemming, so "running" does not find "run" (docs/api.md, Search).
-- unaccent ships with PostgreSQL's contrib modules (the embedded PostgreSQL has it, as do Debian's packages and the
-- usual managed services), and is a trusted extension: a database owner without superuser rights may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION courier_search (COPY = simple);
-- Every kind of word the default parser emits: plain ASCII words, words with other letters (umlauts, Cyrillic, CJK),
-- and hyphenated words with their parts. Numbers, e-mail addresses, URLs and the like keep simple's mapping.
ALTER TEXT SEARCH CONFIGURATION courier_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;
