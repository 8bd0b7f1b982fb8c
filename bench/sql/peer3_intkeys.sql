-- Peer 3i: peer 3 with integer partition keys (year(tx_date), month(tx_date)), the form a
-- DuckDB user would write: no strftime, no VARCHAR keys (paths read year=2024/month=1).
-- Placeholders: {IN} {OUT} {TMP}.
SET temp_directory = '{TMP}';
COPY (
  SELECT TransactionID AS transaction_id, CustomerID AS account_id,
         TRY_CAST(TransactionAmount AS DECIMAL(16,2)) AS amount, Currency AS currency,
         try_strptime(TransactionTimestamp, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S']) AS tx_date,
         year(tx_date) AS year, month(tx_date) AS month
  FROM read_csv('{IN}', header = true, delim = ',', quote = '"', escape = '"', all_varchar = true,
                strict_mode = false, ignore_errors = true)
  WHERE tx_date IS NOT NULL
) TO '{OUT}/silver' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month));
