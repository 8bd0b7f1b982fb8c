-- Peer 2, the honest peer: DuckDB SQL doing runlake's whole row contract (DESIGN.md "Rows")
-- on W1 with bench/w1_rules.json: line numbers, RFC 4180 field split with a schema check,
-- the validation CASE in check order, sha256 row_hash of the raw record, row_number()
-- duplicate detection (first occurrence kept), then two COPYs: silver partitioned by
-- year/month (zstd) and quarantine. Placeholders: {IN} {OUT} {TMP}.
-- W1 has no quoted line breaks and no blank lines, so record i is physical line i + 1.
SET temp_directory = '{TMP}';
SET preserve_insertion_order = true;
CREATE TEMP TABLE raw_lines AS
SELECT row_number() OVER () + 1 AS source_line, raw
FROM (
  -- DuckDB's reader ends a line at a lone CR too, so a CRLF yields an extra empty (NULL) line.
  SELECT rtrim(line, chr(13)) AS raw
  FROM read_csv('{IN}', columns = {'line': 'VARCHAR'}, header = true, delim = '\t', quote = '',
                escape = '', auto_detect = false, strict_mode = false)
  WHERE line IS NOT NULL
);
CREATE TEMP TABLE parsed AS
SELECT source_line, raw, sha256(raw) AS row_hash,
       regexp_full_match(raw || ',', '(?:("(?:[^"]|"")*"|[^,"]*),){5}') AS schema_ok,
       list_transform(regexp_extract_all(raw || ',', '("(?:[^"]|"")*"|[^,"]*),', 1),
                      f -> trim(CASE WHEN f[1] = '"' THEN replace(f[2:-2], '""', '"') ELSE f END, ' ')) AS f
FROM raw_lines;
CREATE TEMP TABLE checked AS
WITH c AS (
  SELECT source_line, raw, row_hash, schema_ok,
         f[1] AS id, f[2] AS account, f[3] AS amount, f[4] AS currency, f[5] AS ts
  FROM parsed
), v AS (
  SELECT *,
    schema_ok AND (id = '' OR account = '' OR amount = '' OR currency = '' OR ts = '') AS e_null,
    schema_ok AND currency <> '' AND currency NOT IN ('EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK') AS e_currency,
    schema_ok AND amount <> '' AND NOT (regexp_full_match(amount, '-?[0-9]+(\.[0-9]{1,2})?')
        AND length(ltrim(split_part(ltrim(amount, '-'), '.', 1), '0')) <= 14) AS e_type,
    schema_ok AND ts <> '' AND try_strptime(ts, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S']) IS NULL AS e_ts,
    CASE WHEN schema_ok AND id <> ''
         THEN row_number() OVER (PARTITION BY schema_ok AND id <> '', id ORDER BY source_line) > 1
         ELSE false END AS e_dup
  FROM c
)
SELECT *,
  CASE WHEN NOT schema_ok THEN 'SCHEMA_ERROR' WHEN e_null THEN 'NULL_VALUE_ERROR'
       WHEN e_currency THEN 'CURRENCY_ERROR' WHEN e_type THEN 'TYPE_ERROR'
       WHEN e_ts THEN 'TIMESTAMP_ERROR' WHEN e_dup THEN 'DUPLICATE_TRANSACTION_ID' END AS validation_error,
  list_filter(['SCHEMA_ERROR', 'NULL_VALUE_ERROR', 'CURRENCY_ERROR', 'TYPE_ERROR', 'TIMESTAMP_ERROR',
               'DUPLICATE_TRANSACTION_ID'],
              (n, i) -> [NOT schema_ok, e_null, e_currency, e_type, e_ts, e_dup][i]) AS validation_errors
FROM v;
COPY (
  SELECT id AS transaction_id, account AS account_id, amount::DECIMAL(16,2) AS amount, currency,
         strptime(ts, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S'])::TIMESTAMP AS tx_date,
         NULL::VARCHAR AS transaction_type, DATE '2024-02-29' AS ingest_date,
         'bronze/w1.csv.gz' AS source_key, source_line, row_hash,
         now()::TIMESTAMP AS ingestion_timestamp,
         strftime(tx_date, '%Y') AS year, strftime(tx_date, '%m') AS month
  FROM checked WHERE validation_error IS NULL
) TO '{OUT}/silver' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month));
COPY (
  SELECT raw AS raw_record, source_line, validation_error, validation_errors,
         'bronze/w1.csv.gz' AS source_key, DATE '2024-02-29' AS ingest_date, row_hash,
         1 AS attempt_count, now()::TIMESTAMP AS ingestion_timestamp, 'peer2' AS run_id
  FROM checked WHERE validation_error IS NOT NULL
) TO '{OUT}/quarantine.parquet' (FORMAT parquet, COMPRESSION zstd);
