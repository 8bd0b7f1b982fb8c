#include "ledger/run_files.h"

#include "common/parallel.h"

namespace runlake {

Result<std::vector<FileProblem>> CheckRunFiles(ObjectStore& store,
                                               const std::vector<const RunManifest*>& runs) {
  std::vector<std::pair<const RunManifest*, const RunFile*>> files;
  for (const RunManifest* m : runs) {
    for (const auto& f : m->files) files.emplace_back(m, &f);
  }
  std::vector<std::string> problems(files.size());
  std::vector<Status> errors(files.size());
  ParallelFor(files.size(), kParallelRequests, [&](size_t i) {
    const RunFile& f = *files[i].second;
    auto info = store.Head(f.key);
    if (!info.ok()) {
      errors[i] = info.status();
    } else if (!*info) {
      problems[i] = "file " + f.key + " is missing";
    } else if (f.bytes != 0 && (*info)->size != f.bytes) {
      problems[i] = "file " + f.key + " has " + std::to_string((*info)->size) +
                    " bytes, its manifest says " + std::to_string(f.bytes);
    }
  });
  std::vector<FileProblem> out;
  for (size_t i = 0; i < files.size(); ++i) {
    RUNLAKE_RETURN_NOT_OK(errors[i]);
    if (!problems[i].empty())
      out.push_back(FileProblem{files[i].first->run_id, files[i].second->key, problems[i]});
  }
  return out;
}

}  // namespace runlake
