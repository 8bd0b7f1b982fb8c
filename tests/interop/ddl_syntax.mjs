// Checks `runlake catalog export` output with dt-sql-parser's grammars, statement by
// statement: node --import ./register_dir_loader.mjs ddl_syntax.mjs spark|trino|athena FILE
// (Athena: Hive grammar for its DDL, Trino grammar for its views). Prints each statement a
// grammar rejects with the parser's first error; exit 1 if any.
import fs from 'node:fs';
import path from 'node:path';

const [, , dialect, file] = process.argv;
const tools = process.env.RUNLAKE_NPM_TOOLS ||
  path.join(process.env.HOME, '.cache/runlake/npm-tools');
const { SparkSQL, TrinoSQL, HiveSQL } =
  await import(path.join(tools, 'node_modules/dt-sql-parser/dist/index.js'));
const text = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('--')).join('\n');
const statements = text.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
let bad = 0;
for (const s of statements) {
  let parser;
  if (dialect === 'spark') parser = new SparkSQL();
  else if (dialect === 'trino') parser = new TrinoSQL();
  else if (dialect === 'athena') parser = /^CREATE OR REPLACE VIEW/.test(s) ? new TrinoSQL() : new HiveSQL();
  else { console.error('dialect: spark, trino or athena'); process.exit(2); }
  const errors = parser.validate(s);
  if (errors.length) {
    bad++;
    console.log(`rejected (${JSON.stringify(errors[0])}):\n${s}\n`);
  }
}
console.log(`${statements.length} statements, ${bad} rejected`);
process.exit(bad ? 1 : 0);
