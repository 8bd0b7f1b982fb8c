#!/usr/bin/env node
// Which credentials the AWS SDK for JavaScript's default chain (fromNodeProviderChain of
// @aws-sdk/credential-providers, pinned in tests/s3/npm) finds in this environment, as
// JSON: {"sources": the SDK's own names of the providers that made them ($source),
// "access_key_id"} or {"error"}. No secret is printed. Usage: probe NPM_DIR
// (scripts/npm-tools.sh installs NPM_DIR, ~/.cache/runlake/npm-aws-sdk).
const { createRequire } = require("module");
const sdk = createRequire(process.argv[2] + "/package.json")("@aws-sdk/credential-providers");

sdk.fromNodeProviderChain()().then(
  (c) => console.log(JSON.stringify({ sources: Object.keys(c.$source || {}), access_key_id: c.accessKeyId })),
  (e) => console.log(JSON.stringify({ error: `${e.name}: ${String(e.message).slice(0, 300)}` })),
);
