// RejectTransitions: a DuckDB join of A's rejects with B's silver and rejects on row_hash.

#include "catalog/reject_transitions.h"

#include "common/parse_number.h"
#include "engine/engine.h"
#include "catalog/catalog.h"

namespace runlake {

// What became of A's rejected rows in B, matched by row_hash (the raw record's hash, so the
// same input row on both sides): per reason in A, how many are valid in B, still failing
// for that reason, failing for another reason, or not in B at all (another bronze object).
Result<std::map<std::string, RejectTransition>> RejectTransitions(ObjectStore& store, const RunManifest& a, const RunManifest& b,
                               const std::string& scratch) {
  std::string ra = Engine::Quote(a.run_id), rb = Engine::Quote(b.run_id);
  std::string sql =
      "WITH a AS (SELECT row_hash, validation_error AS reason FROM quarantine WHERE run_id = " +
      ra + " UNION ALL SELECT row_hash, validation_error FROM condemned WHERE run_id = " + ra +
      "), "
      "bv AS (SELECT DISTINCT row_hash FROM silver_transactions WHERE run_id = " +
      rb +
      "), "
      "bq AS (SELECT row_hash, min(validation_error) AS reason FROM (SELECT row_hash, "
      "validation_error "
      "FROM quarantine WHERE run_id = " +
      rb +
      " UNION ALL SELECT row_hash, validation_error FROM condemned "
      "WHERE run_id = " +
      rb +
      ") GROUP BY row_hash) "
      "SELECT a.reason, CASE WHEN bv.row_hash IS NOT NULL THEN 'valid' WHEN bq.reason = a.reason "
      "THEN "
      "'still_failing' WHEN bq.reason IS NOT NULL THEN 'other_reason' ELSE 'not_in_b' END AS "
      "outcome, "
      "count(*) FROM a LEFT JOIN bv ON a.row_hash = bv.row_hash LEFT JOIN bq ON a.row_hash = "
      "bq.row_hash "
      "GROUP BY 1, 2 ORDER BY 1, 2";
  CatalogOptions o;
  o.dataset = a.dataset;
  o.scratch_dir = scratch;
  o.sql = sql;
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, OpenCatalog(store, o));
  RUNLAKE_ASSIGN_OR_RAISE(auto rows, engine->Query(sql));
  std::map<std::string, RejectTransition> out;
  for (const auto& row : rows.rows) {
    RejectTransition& t = out[row[0].value_or("")];
    RUNLAKE_ASSIGN_OR_RAISE(int64_t n, ParseInt64Cell(row[2], "reject transitions: a count"));
    const std::string outcome = row[1].value_or("");
    if (outcome == "valid") t.valid = n;
    else if (outcome == "still_failing") t.still_failing = n;
    else if (outcome == "other_reason") t.other_reason = n;
    else t.not_in_b = n;
  }
  return out;
}

}  // namespace runlake
