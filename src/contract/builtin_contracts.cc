// The built-in contracts' text (see runlake/builtin_contracts.h). Kept byte for byte as
// DESIGN.md prints it: contract_sha256 is the hash of these bytes, and the lake stores them.

#include "runlake/builtin_contracts.h"

#include <cstdlib>
#include <cstdio>

#include "runlake/contract.h"

namespace runlake {

std::string_view TransactionsContractYaml() {
  static constexpr std::string_view kYaml = R"yaml(
dataset: mortgages/transactions
source: {format: csv, delimiter: ",", max_record_bytes: 8388608}
partition_by: tx_date
key: [transaction_id]
key_reason: DUPLICATE_TRANSACTION_ID
max_attempts: 3
gate: {max_quarantine_rate: 0.05, max_condemned_rows: 100}
schemas:
  v1:
    columns:
      - {name: transaction_id, from: TransactionID, type: string, required: true}
      - {name: account_id, from: CustomerID, type: string, required: true}
      - {name: amount, from: TransactionAmount, type: "decimal(16,2)", required: true,
         trim: false}
      - {name: currency, from: Currency, type: string, required: true, enum: iso4217,
         reason: CURRENCY_ERROR, trim: false}
      - {name: tx_date, from: TransactionTimestamp, type: timestamp, required: true, trim: false,
         formats: ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S%z",
                   "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"],
         window: {not_before: "1900-01-01", max_days_after_ingest: 1}}
    check_order: [currency, amount, tx_date]
  v2:
    extends: v1
    columns:
      - {name: transaction_type, from: TransactionType, type: string, required: true}
)yaml";
  return kYaml.substr(1);  // the raw string starts with the newline after its opening
}

const Contract& TransactionsContract() {
  // Parsed once; a built-in text that does not parse is a bug caught by every test.
  static const Contract* const kContract = [] {
    auto c = ParseContract(TransactionsContractYaml(), "built-in " + std::string(kTransactionsDataset));
    if (!c.ok()) {
      std::fprintf(stderr, "runlake: the built-in contract does not load: %s\n",
                   c.status().ToString().c_str());
      std::abort();
    }
    return new Contract(std::move(*c));
  }();
  return *kContract;
}

}  // namespace runlake
