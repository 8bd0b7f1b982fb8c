#pragma once
// LakeQuery: read-only SQL over one dataset's views (`runlake query`, the library's way to
// ask the lake a question). The views are opened in a scratch folder outside the lake (a
// user who may only read the lake can query it) and the engine is locked down before any
// user SQL runs: no writes, no reads outside the lake, the scratch and the object cache.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/query_result.h"
#include "runlake/status.h"

namespace runlake {

struct LakeQueryOptions {
  DatasetId dataset;
  int64_t at_version = 0;  // silver_current at this pointer version; 0: the newest
  std::string sql;         // the statement: only the views it names are opened
};

class LakeQuery {
 public:
  // Opens the views `options.sql` needs. Problems readers should hear of (an invisible
  // run, a hand-edited _LATEST.json) go to `warnings`. Errors as OpenCatalog's.
  static Result<std::unique_ptr<LakeQuery>> Open(ObjectStore& store, const LakeQueryOptions& options,
                                                 std::vector<std::string>* warnings);
  ~LakeQuery();
  LakeQuery(const LakeQuery&) = delete;
  LakeQuery& operator=(const LakeQuery&) = delete;

  // Runs the statement given to Open. InvalidArgument for bad SQL or any statement that is
  // not a read; Aborted after Interrupt().
  Result<QueryResult> Run();
  // Stops a Run() in progress (or the next one); safe from any thread (a timeout, a signal).
  void Interrupt();

  struct Impl;

 private:
  explicit LakeQuery(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The DuckDB library answering queries ("v1.4.4"): the one loaded at run time.
std::string QueryEngineVersion();

}  // namespace runlake
