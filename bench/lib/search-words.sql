-- The vocabulary of the search benches (bench/search.sh, bench/search-send-cost.sh): bench_words(rank, word), :vocabulary
-- words, rank 1 the most frequent, and bench_body(seed, vocabulary), a body of 3-20 of them drawn with a Zipf-like curve.
CREATE TABLE bench_words (rank integer PRIMARY KEY, word text NOT NULL);
-- The hundred most frequent English words lead the list, so that a bench query looks like one; the rest are made up
-- of syllables, unique by construction (rank written in base 40, one syllable per digit).
INSERT INTO bench_words
SELECT n, w FROM unnest(string_to_array(
  'the of and to a in is you that it he was for on are as with his they I at be this have from or one had by word '
  'but not what all were we when your can said there use an each which she do how their if will up other about out '
  'many then them these so some her would make like him into time has look two more write go see number no way '
  'could people my than first water been call who oil its now find long down day did get come made may part', ' '))
  WITH ORDINALITY AS t(w, n);
INSERT INTO bench_words
SELECT r, (SELECT string_agg((ARRAY['ka','lo','mi','ne','ru','sa','te','vi','zo','pe','qua','dri','fen','gul',
                                     'hob','jax','kre','lum','mor','nix','pla','quo','rin','sto','tav','ulm','vor',
                                     'wex','yal','zim','bri','cos','dun','efa','gor','hil','ist','jol','kip','ost'])
                                     [1 + (r / (40 ^ d)::bigint) % 40], '' ORDER BY d DESC)
              FROM generate_series(0, floor(log(40, r))::int) d)
  FROM generate_series(101, :vocabulary) r;
ANALYZE bench_words;

-- A message body: 3-20 words (by seed), each of rank r drawn with probability about proportional to 1/r (exp of a
-- uniform draw over log(vocabulary): the log-uniform curve of Zipf's law, as in natural text).
CREATE FUNCTION bench_body(seed bigint, vocabulary integer) RETURNS text LANGUAGE sql VOLATILE AS $$
SELECT string_agg((SELECT w.word FROM bench_words w WHERE w.rank = x.r), ' ')
  FROM (SELECT floor(exp(random() * ln(vocabulary + 0.999)) + k * 0)::int AS r
          FROM generate_series(1, 3 + (hashint8(seed) & 1023) % 18) k) x
$$;
