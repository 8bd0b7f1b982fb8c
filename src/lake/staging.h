#pragma once
// A private local directory for files on their way into the store. For a local lake it
// sits inside the lake (same filesystem, so PutFile is one rename); otherwise in TMPDIR.
// Removed when the Staging object dies, so a failed step leaves nothing behind.

#include <string>

#include "runlake/object_store.h"

namespace runlake {

class Staging {
 public:
  static Result<Staging> Create(const ObjectStore& store, const std::string& label);
  Staging(Staging&& other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }
  Staging(const Staging&) = delete;
  ~Staging();
  const std::string& dir() const { return dir_; }

 private:
  explicit Staging(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace runlake
