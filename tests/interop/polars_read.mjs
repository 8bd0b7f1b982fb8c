// An independent reader (Polars, Rust, via nodejs-polars): reads the lake's files with Hive
// partitions and prints, as one JSON object, what the interop test compares with `runlake
// query`: per layer the row count, column types and a checksum, and silver_current
// computed from the files alone (silver joined to the newest canonical_sources version).
//   node polars_read.mjs LAKE_DIR
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const tools = process.env.RUNLAKE_NPM_TOOLS || path.join(process.env.HOME, '.cache/runlake/npm-tools');
const require = createRequire(path.join(tools, 'node_modules/'));
const pl = require('nodejs-polars');
const lake = process.argv[2];

// run_id values like 20240115T120000Z look like datetimes: never let a reader guess.
const scan = (glob) =>
  pl.scanParquet(path.join(lake, glob), { hivePartitioning: true, tryParseHiveDates: false });
// A layer with no files yet reads as nothing (Polars refuses an empty glob).
const hasFiles = (dir) => fs.existsSync(path.join(lake, dir)) &&
  fs.readdirSync(path.join(lake, dir), { recursive: true }).some((f) => String(f).endsWith('.parquet'));
const types = (df) => Object.fromEntries(Object.entries(df.schema).map(([k, v]) => [k, String(v)]));

const out = {};
const silver = await scan('silver/mortgages/transactions/**/*.parquet').collect();
out.silver = {
  rows: silver.height,
  types: types(silver),
  amount_cents: Number(silver.select(pl.col('amount').cast(pl.Float64).mul(100).round(0).sum()).getColumn('amount').get(0)),
};
for (const [name, dir] of [['quarantine', 'quarantine/mortgages/transactions'],
                           ['condemned', 'condemned/mortgages/transactions'],
                           ['gold', 'gold/mortgages/account_balances']]) {
  if (!hasFiles(dir)) { out[name] = { rows: 0, types: {} }; continue; }
  // raw_bytes (BLOB) is read by Polars but its JS binding cannot name the Binary type.
  let lf = scan(`${dir}/**/*.parquet`);
  if (name !== 'gold') lf = lf.drop('raw_bytes');
  const df = await lf.collect();
  out[name] = { rows: df.height, types: types(df) };
}

const canonical = await scan('catalog/mortgages/transactions/canonical/**/*.parquet').collect();
const newest = canonical.getColumn('version').cast(pl.Int64).max();
const current = canonical.filter(pl.col('version').cast(pl.Int64).eq(newest)).select('ingest_date', 'run_id');
const joined = silver.join(current, { on: ['ingest_date', 'run_id'], how: 'inner' });
const ids = joined.select(pl.concatString([pl.col('transaction_id'), pl.col('run_id')], '@').alias('k'))
  .sort('k').getColumn('k').toArray();
out.canonical = { version: Number(newest), types: types(canonical) };
out.silver_current = { rows: joined.height, ids: ids.join(',') };
console.log(JSON.stringify(out));
