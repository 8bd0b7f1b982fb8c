#pragma once
// The contracts runlake ships: the transactions dataset of the runbook is the contract that
// `runlake init` applies, nothing compiled (DESIGN.md, "The built-in contract").

#include <string_view>

namespace runlake {

inline constexpr std::string_view kTransactionsDataset = "mortgages/transactions";

// The YAML text exactly as DESIGN.md gives it; its behaviour is "Rows" exactly. Stored as
// is, so its contract_sha256 is the hash of these bytes.
std::string_view TransactionsContractYaml();

struct Contract;
// TransactionsContractYaml() loaded (once; it always loads).
const Contract& TransactionsContract();

}  // namespace runlake
