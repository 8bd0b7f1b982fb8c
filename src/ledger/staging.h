#pragma once
// A private local directory for files on their way into the store. For a local lake it
// sits inside the lake (same filesystem, so PutFile is one rename); otherwise in TMPDIR.
// Removed when the Staging object dies, so a failed step leaves nothing behind.

#include <string>
#include <vector>

#include "runlake/object_store.h"

namespace runlake {

class Staging {
 public:
  static Result<Staging> Create(const ObjectStore& store, const std::string& label);
  // In $TMPDIR, whatever the store: for readers, who may not be able to write the lake.
  static Result<Staging> CreateOutsideLake(const std::string& label);
  // Removes staging directories (of `store`'s staging area) whose process is gone;
  // returns their paths. Directories of live processes, or of unknown ones, stay.
  static Result<std::vector<std::string>> SweepDead(const ObjectStore& store);
  // The directories SweepDead would remove.
  static std::vector<std::string> DeadDirs(const ObjectStore& store);
  // Temp files of a local lake (".tmp-<name>.<pid>.<salt>.<n>", the local backend's) whose
  // writer is gone: a crash between writing a temp and renaming it leaves one beside its
  // target, forever. Same liveness rule as staging (a reused pid keeps the file). Paths
  // relative to the lake; empty for other backends (S3 uploads leave no temp).
  static std::vector<std::string> DeadTempFiles(const ObjectStore& store);
  // Removes one of them, and the directories it leaves empty (as the local backend's
  // Delete does).
  static Status RemoveTempFile(const ObjectStore& store, const std::string& rel);
  // Scratch folders outside any lake ($TMPDIR, else /tmp) for work on `store`, made with
  // mkdtemp(ScratchPattern(...)): "runlake-<label>-<lake>-<pid>-<start ticks>-XXXXXX",
  // <lake> a hash of the store's URI. Removing one is its owner's job; a killed owner
  // leaves it, and the name says whose it was, so `check --repair` of that lake can tell
  // it is dead (folders without an owner in the name, of older runlakes, are left alone).
  static std::string ScratchPattern(const ObjectStore& store, const std::string& label);
  // Those of `label` for `store` whose owner is gone (paths).
  static std::vector<std::string> DeadScratchDirs(const ObjectStore& store, const std::string& label);
  static Status RemoveScratchDir(const std::string& path);
  Staging(Staging&& other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }
  Staging(const Staging&) = delete;
  ~Staging();
  const std::string& dir() const { return dir_; }

 private:
  explicit Staging(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace runlake
