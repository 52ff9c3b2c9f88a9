// Runs the graphql-http package's server audits (the GraphQL-over-HTTP specification's MUST,
// SHOULD and MAY rules) against the GraphQL endpoint at the URL given as the first argument, and
// prints one JSON array of results on standard output: {id, name, status, reason}, where status is
// "ok", or "error" (a MUST failed), "warn" (a SHOULD failed) or "notice" (a MAY failed). It exits
// non-zero only when the audits themselves could not run.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
const out = [];
for (const r of results) {
  const o = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    o.reason = r.reason;
  }
  out.push(o);
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
