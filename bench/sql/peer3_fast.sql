-- Peer 3, the fast peer: DuckDB's own CSV reader, casts and the partitioned zstd write,
-- and nothing else (no lineage, row hash, duplicates or quarantine). Placeholders: {IN} {OUT} {TMP}.
SET temp_directory = '{TMP}';
COPY (
  SELECT TransactionID AS transaction_id, CustomerID AS account_id,
         TRY_CAST(TransactionAmount AS DECIMAL(16,2)) AS amount, Currency AS currency,
         try_strptime(TransactionTimestamp, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S']) AS tx_date,
         strftime(tx_date, '%Y') AS year, strftime(tx_date, '%m') AS month
  FROM read_csv('{IN}', header = true, delim = ',', quote = '"', escape = '"', all_varchar = true,
                strict_mode = false, ignore_errors = true)
  WHERE tx_date IS NOT NULL
) TO '{OUT}/silver' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month));
