// Peer 5: Polars (nodejs-polars 0.25.2, Rust underneath) doing what peer 3 does, the way a
// Polars user would write it: read the CSV.gz, cast, parse the two timestamp formats, keep
// the rows with a timestamp, and write zstd Parquet partitioned by year and month
// (OUT/silver/year=Y/month=M/part-0.parquet). bench/run.sh runs it with the npm tools that
// scripts/npm-tools.sh installs into ~/.cache/runlake/npm-tools.
//
//   node bench/polars_peer.mjs NODE_MODULES IN.csv.gz OUT
//
// Polars' CSV reader neither inflates gzip (it reads the compressed bytes as text) nor
// skips a field with text after its closing quote (`"ACC1"x`, one of W1's SCHEMA_ERROR
// rows: a hard error even with ignoreErrors), so the file is inflated by node's zlib into
// memory and read with quoting off: the 2% of W1's rows with a quoted currency keep their
// quotes, which no column of this minimal job looks at.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const [modules, input, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node bench/polars_peer.mjs NODE_MODULES IN.csv.gz OUT');
  process.exit(2);
}
const pl = createRequire(path.join(modules, 'x.js'))('nodejs-polars');

const csv = zlib.gunzipSync(fs.readFileSync(input));
const raw = pl.readCSV(csv, { inferSchemaLength: 0, ignoreErrors: true, truncateRaggedLines: true,
                              quoteChar: '' });
const ts = pl.col('TransactionTimestamp');
const silver = raw.lazy()
  .select(
    pl.col('TransactionID').alias('transaction_id'),
    pl.col('CustomerID').alias('account_id'),
    pl.col('TransactionAmount').cast(pl.Decimal(16, 2), false).alias('amount'),
    pl.col('Currency').alias('currency'),
    ts.str.strptime(pl.Datetime('ms'), '%Y-%m-%dT%H:%M:%SZ')
      .fillNull(ts.str.strptime(pl.Datetime('ms'), '%Y-%m-%d %H:%M:%S')).alias('tx_date'))
  .filter(pl.col('tx_date').isNotNull())
  .withColumns(pl.col('tx_date').dt.year().alias('year'), pl.col('tx_date').dt.month().alias('month'))
  .collectSync();

let rows = 0;
for (const part of silver.partitionBy(['year', 'month'], false, true)) {
  const year = part.getColumn('year').get(0);
  const month = String(part.getColumn('month').get(0)).padStart(2, '0');
  const dir = path.join(out, 'silver', `year=${year}`, `month=${month}`);
  fs.mkdirSync(dir, { recursive: true });
  part.drop(['year', 'month']).writeParquet(path.join(dir, 'part-0.parquet'), { compression: 'zstd' });
  rows += part.height;
}
console.log(`polars peer: ${rows} rows written`);
