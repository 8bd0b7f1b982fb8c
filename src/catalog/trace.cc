// TraceBalance (runlake/gold.h): from a gold balance back to its silver rows and their
// bronze lines, at the silver version the gold table was built from.

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "ledger/staging.h"
#include "runlake/gold.h"

namespace runlake {

Result<BalanceTrace> TraceBalance(ObjectStore& store, const TraceRequest& request) {
  const std::string& month = request.month;
  if (month.size() != 7 || !ValidateDate(month + "-01").ok()) {
    return Status::InvalidArgument("--month '" + month + "' is not YYYY-MM");
  }
  const std::string dataset = request.silver.path();
  // Trace from the silver version the gold table was built from, so lineage matches it.
  RUNLAKE_ASSIGN_OR_RAISE(GoldStatus gold, GetGoldStatus(store, request.silver, "account_balances"));
  if (!gold.run_id) {
    return Status::FailedPrecondition("gold account_balances of " + dataset +
                                      " has not been built yet: run `runlake gold build` first");
  }
  if (gold.built_from_dataset != dataset) {
    return Status::FailedPrecondition("gold account_balances was built from " + gold.built_from_dataset +
                                      ", not " + dataset);
  }
  RUNLAKE_ASSIGN_OR_RAISE(Staging scratch, Staging::Create(store, "trace"));
  RUNLAKE_ASSIGN_OR_RAISE(auto engine,
                          OpenCatalog(store, CatalogOptions{request.silver, scratch.dir(), gold.built_from_version}));
  std::string where = "account_id = " + Engine::Quote(request.account) +
                      (request.currency.empty() ? "" : " AND currency = " + Engine::Quote(request.currency));
  BalanceTrace trace;
  trace.silver_version = gold.built_from_version;
  RUNLAKE_ASSIGN_OR_RAISE(trace.balance,
                          engine->Query("SELECT account_id, currency, month, balance FROM gold_account_balances WHERE " +
                                        where + " AND month = " + Engine::Quote(month) + " ORDER BY currency"));
  RUNLAKE_ASSIGN_OR_RAISE(
      trace.rows,
      engine->Query("SELECT s.transaction_id, s.currency, s.amount, s.tx_date, s.run_id, s.source_key, "
                    "s.source_line, s.row_hash FROM silver_current s WHERE " + where +
                    " AND strftime(s.tx_date, '%Y-%m') <= " + Engine::Quote(month) +
                    " ORDER BY s.tx_date, s.transaction_id"));
  return trace;
}

}  // namespace runlake
