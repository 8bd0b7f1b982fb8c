// An independent footer reader (hyparquet, pure JavaScript): prints each column's physical
// type, logical type and codec of one Parquet file as JSON, so the interop test checks what
// Athena/Trino/Spark will see in the footer, not what DuckDB reports back.
//   node parquet_footer.mjs FILE.parquet
import fs from 'node:fs';
import path from 'node:path';

const tools = process.env.RUNLAKE_NPM_TOOLS || path.join(process.env.HOME, '.cache/runlake/npm-tools');
const { parquetMetadata } = await import(path.join(tools, 'node_modules/hyparquet/src/index.js'));
const bytes = fs.readFileSync(process.argv[2]);
const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const columns = {};
for (const el of meta.schema.slice(1)) {
  if (el.num_children) continue;  // a group (lists): its leaf follows
  columns[el.name] = { physical: el.type, logical: el.logical_type ?? null, converted: el.converted_type ?? null };
}
const codecs = new Set();
for (const rg of meta.row_groups) for (const c of rg.columns) codecs.add(c.meta_data.codec);
console.log(JSON.stringify({ columns, codecs: [...codecs], rows: Number(meta.num_rows) },
  (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
