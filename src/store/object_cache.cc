#include "store/object_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/sha256.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTempMarker = ".tmp-";
// Beside each entry: the SHA-256 of its bytes when they were downloaded. A hit is served
// only when the bytes still match it (and the size), so a cached file changed after the
// download (by a hand, a tool, a query) is fetched again, never served.
constexpr const char* kDigestSuffix = ".sha256";

// ETags are hex (with a "-N" suffix for multipart uploads); anything else is replaced so
// a hostile or odd ETag cannot escape the cache directory.
std::string SafeTag(const std::string& etag) {
  std::string out;
  for (char c : etag) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    out += ok ? c : '_';
  }
  return out.substr(0, 80);
}

// The access time orders eviction only: a failed touch evicts this entry a little sooner.
void Touch(const std::string& path) { (void)utimensat(AT_FDCWD, path.c_str(), nullptr, 0); }

// SHA-256 hex of the file at `path`; "" when it cannot be read.
std::string FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  Sha256 sha;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    sha.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  return in.bad() ? "" : sha.HexDigest();
}

// True when `path` holds `size` bytes whose digest is the one recorded beside it.
bool StillIntact(const std::string& path, uint64_t size) {
  std::error_code ec;
  if (fs::file_size(path, ec) != size || ec) return false;
  std::ifstream in(path + kDigestSuffix);
  std::string recorded;
  if (!(in >> recorded) || recorded.size() != Sha256::kHexSize) return false;
  return FileDigest(path) == recorded;
}

Status Download(ObjectStore& store, const std::string& key, const std::string& temp, uint64_t size,
                std::string* digest) {
  RUNLAKE_ASSIGN_OR_RAISE(auto reader, store.OpenRead(key));
  Sha256 sha;
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cache: cannot create " + temp);
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    RUNLAKE_ASSIGN_OR_RAISE(size_t n, reader->Read(buf.data(), buf.size()));
    if (n == 0) break;
    out.write(buf.data(), static_cast<std::streamsize>(n));
    sha.Update(std::string_view(buf.data(), n));
    total += n;
  }
  out.close();
  if (!out) return Status::IOError("cache: writing " + temp + " failed (disk full?)");
  if (total != size) {
    return Status::Corruption("cache: " + key + " has " + std::to_string(total) + " bytes, expected " +
                           std::to_string(size) + " (changed while read?)");
  }
  *digest = sha.HexDigest();
  return Status::OK();
}

// Records `digest` beside `path` (temp file, then rename: readers see a whole digest).
Status WriteDigest(const std::string& path, const std::string& temp_suffix, const std::string& digest) {
  std::string temp = path + kDigestSuffix + temp_suffix;
  {
    std::ofstream out(temp, std::ios::trunc);
    out << digest << "\n";
    if (!out) return Status::IOError("cache: writing " + temp + " failed (disk full?)");
  }
  std::error_code ec;
  fs::rename(temp, path + kDigestSuffix, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Status::IOError("cache: renaming " + temp + ": " + ec.message());
  }
  return Status::OK();
}

}  // namespace

std::optional<ObjectCacheOptions> ObjectCacheFromEnv() {
  ObjectCacheOptions o;
  const char* dir = std::getenv("RUNLAKE_CACHE");
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (dir && std::string(dir) == "off") return std::nullopt;
  if (dir && *dir) {
    o.dir = dir;
  } else if (xdg && *xdg) {
    o.dir = std::string(xdg) + "/runlake";
  } else if (home && *home) {
    o.dir = std::string(home) + "/.cache/runlake";
  } else {
    return std::nullopt;
  }
  if (const char* mb = std::getenv("RUNLAKE_CACHE_MAX_MB")) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(mb, &end, 10);
    if (end != mb && *end == '\0') o.max_bytes = static_cast<uint64_t>(v) << 20;
  }
  return o;
}

Result<std::string> ObjectCache::Fetch(ObjectStore& store, const std::string& key) {
  RUNLAKE_ASSIGN_OR_RAISE(auto info, store.Head(key));
  if (!info) return Status::NotFound("object '" + key + "' not found in " + store.uri());
  if (info->etag.empty()) {
    return Status::FailedPrecondition("cache: " + store.uri() + " gives '" + key + "' no ETag");
  }
  fs::path rel(key);
  std::string name = SafeTag(info->etag) + "-" + std::to_string(info->size) + "-" +
                     rel.filename().string();
  fs::path dir = fs::path(options_.dir) / "v1" / Sha256::Of(store.uri()).substr(0, 16) /
                 rel.parent_path();
  return Place(store, key, dir, name, info->size);
}

Result<std::string> ObjectCache::FetchCommitted(ObjectStore& store, const std::string& key,
                                                uint64_t size, const std::string& version_tag) {
  fs::path rel(key);
  std::string name = "c" + Sha256::Of(version_tag).substr(0, 16) + "-" + std::to_string(size) + "-" +
                     rel.filename().string();
  fs::path dir = fs::path(options_.dir) / "v1" / Sha256::Of(store.uri()).substr(0, 16) /
                 rel.parent_path();
  return Place(store, key, dir, name, size);
}

// The cached copy of `key` at dir/name (immutable content: its name holds its version),
// downloaded into a private temp file and renamed into place when absent or no longer
// intact, so concurrent processes and threads only ever see whole files (a replaced entry
// stays readable through the descriptors already open on it).
Result<std::string> ObjectCache::Place(ObjectStore& store, const std::string& key,
                                       const fs::path& dir, const std::string& name,
                                       uint64_t size) {
  std::string path = (dir / name).string();
  std::error_code ec;
  if (fs::exists(path, ec) && StillIntact(path, size)) {
    Touch(path);
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.hits;
    return path;
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cache: creating " + dir.string() + ": " + ec.message());
  static std::atomic<int> counter{0};
  std::string suffix = kTempMarker + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::string temp = path + suffix;
  std::string digest;
  Status st = Download(store, key, temp, size, &digest);
  if (st.ok()) {
    // Another process may have renamed the same bytes into place first: same content.
    fs::rename(temp, path, ec);
    if (ec) st = Status::IOError("cache: renaming " + temp + ": " + ec.message());
  }
  if (st.ok()) st = WriteDigest(path, suffix, digest);
  if (!st.ok()) {
    fs::remove(temp, ec);
    return st;
  }
  std::lock_guard<std::mutex> lock(stats_mu_);
  ++stats_.downloads;
  stats_.downloaded_bytes += size;
  return path;
}

Status ObjectCache::Trim() {
  struct Entry {
    fs::file_time_type used;
    uint64_t size;
    fs::path path;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  fs::path root = fs::path(options_.dir) / "v1";
  if (!fs::exists(root, ec)) return Status::OK();
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto used = it->last_write_time(ec);
    uint64_t size = it->file_size(ec);
    if (ec) continue;  // removed by another process meanwhile
    if (it->path().filename().string().find(kTempMarker) != std::string::npos) {
      // A download that died: nobody renames it after an hour.
      if (now - used > std::chrono::hours(1)) fs::remove(it->path(), ec);
      continue;
    }
    if (it->path().extension() == kDigestSuffix) continue;  // goes with its entry
    entries.push_back({used, size, it->path()});
    total += size;
  }
  if (total <= options_.max_bytes) return Status::OK();
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
  uint64_t target = options_.max_bytes / 10 * 9;
  for (const auto& e : entries) {
    if (total <= target) break;
    if (now - e.used < options_.grace) break;  // the rest are newer still
    if (fs::remove(e.path, ec)) {
      fs::remove(e.path.string() + kDigestSuffix, ec);
      total -= e.size;
      ++stats_.evicted;
    }
  }
  return Status::OK();
}

}  // namespace runlake
