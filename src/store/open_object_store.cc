// Chooses a backend from the lake URI (Arrow's FileSystemFromUri idea).

#include <cstdlib>

#include "runlake/object_store.h"
#include "store/fault_injecting_object_store.h"
#include "common/test_hooks.h"

namespace runlake {
namespace {

Result<std::unique_ptr<ObjectStore>> OpenBackend(const std::string& uri) {
  if (uri.rfind("mem://", 0) == 0) return NewMemoryObjectStore(uri.substr(6));
  if (uri.rfind("s3://", 0) == 0) {
    RUNLAKE_ASSIGN_OR_RAISE(S3Config config, S3ConfigFromUri(uri));
    return NewS3ObjectStore(config);
  }
  std::string path = uri;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  if (path.empty()) return Status::InvalidArgument("empty lake URI");
  if (path.find("://") != std::string::npos) {
    return Status::InvalidArgument("lake '" + uri + "': unknown URI scheme (use a path, file://, s3://)");
  }
  return NewLocalObjectStore(path);
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri) {
  RUNLAKE_ASSIGN_OR_RAISE(auto store, OpenBackend(uri));
  // Test-only: the fault sweep (tests/integration/fault_sweep_test.cc) crashes or fails
  // the real binary at its K-th write. Unset in production, so this costs one getenv.
  const char* fault = std::getenv(test_hooks::kFault);
  if (fault == nullptr || *fault == '\0') return store;
  RUNLAKE_ASSIGN_OR_RAISE(FaultSpec spec, ParseFaultSpec(fault));
  return NewFaultInjectingObjectStore(std::move(store), std::move(spec));
}

}  // namespace runlake
