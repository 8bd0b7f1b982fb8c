// Binding a contract's derived columns with DuckDB (see runlake/derived_binding.h).

#include "runlake/derived_binding.h"

#include "engine/engine.h"
#include "runlake/contract.h"

namespace runlake {

Status BindDerivedColumns(const Contract& contract) {
  const std::vector<DerivedToBind> derived = DerivedColumnsToBind(contract);
  if (derived.empty()) return Status::OK();
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(EngineOptions{1, "256MB", ""}));
  for (const DerivedToBind& d : derived) {
    // The version's columns as typed NULLs, and ingest_date: what the silver COPY's
    // projection offers the expression (run_writer.cc, SilverSelect).
    std::string scope;
    for (const Column& c : *d.scope) {
      scope += "CAST(NULL AS " + c.type.SqlType() + ") AS " + Engine::QuoteIdentifier(c.name) + ", ";
    }
    scope += "CAST(NULL AS DATE) AS ingest_date";
    const std::string sql = "SELECT CAST((" + d.derived->expr + ") AS " + d.derived->type.SqlType() +
                            ") FROM (SELECT " + scope + ") LIMIT 0";
    auto bound = engine->Query(sql);
    if (!bound.ok()) {
      return Status::InvalidArgument(d.derived->expr_at + ": " + bound.status().message() +
                                     " (derived column " + d.derived->name + " of " + d.version + ")");
    }
  }
  return Status::OK();
}

}  // namespace runlake
