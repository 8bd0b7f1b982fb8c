// LakeQuery (runlake/lake_query.h): the catalog in a scratch folder, locked down.

#include "runlake/lake_query.h"

#include <filesystem>

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "ledger/staging.h"
#include "store/object_cache.h"

namespace runlake {

struct LakeQuery::Impl {
  Staging scratch;  // removed when the query goes away, engine first (declared after)
  std::unique_ptr<Engine> engine;
  std::string sql;
};

LakeQuery::LakeQuery(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LakeQuery::~LakeQuery() = default;

Result<std::unique_ptr<LakeQuery>> LakeQuery::Open(ObjectStore& store, const LakeQueryOptions& options,
                                                   std::vector<std::string>* warnings) {
  // Scratch lives outside the lake: a user who can only read the lake can query it.
  RUNLAKE_ASSIGN_OR_RAISE(Staging scratch, Staging::CreateOutsideLake("query"));
  const std::string dir = scratch.dir();
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, OpenCatalog(store, CatalogOptions{options.dataset, dir, options.at_version,
                                                                         options.sql, warnings}));
  // Readable: the lake, the scratch folder and the cache's objects (not the whole cache
  // folder, which also holds the DuckDB library the build links).
  std::vector<std::string> readable{dir};
  if (auto root = store.LocalPath("_runs")) readable.push_back(std::filesystem::path(*root).parent_path().string());
  if (auto cache = ObjectCacheFromEnv()) readable.push_back(cache->dir + "/v1");
  RUNLAKE_RETURN_NOT_OK(engine->LockDown(readable));
  return std::unique_ptr<LakeQuery>(
      new LakeQuery(std::unique_ptr<Impl>(new Impl{std::move(scratch), std::move(engine), options.sql})));
}

Result<QueryResult> LakeQuery::Run() { return impl_->engine->Query(impl_->sql); }

void LakeQuery::Interrupt() { impl_->engine->Interrupt(); }

std::string QueryEngineVersion() { return Engine::LibraryVersion(); }

}  // namespace runlake
