// Local-directory backend. Atomic writes are "write a temp file in the same directory,
// fsync, rename" (leveldb's SetCurrentFile); put-if-absent is "write temp, fsync, link()"
// because link(2) fails with EEXIST instead of replacing, which rename(2) cannot do.

#include <dirent.h>
#include "common/errno_status.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "runlake/object_store.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

Status ErrnoStatus(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EEXIST) return Status::AlreadyExists(msg);
  return StatusFromErrno(what, err);
}

// Temp names start with ".tmp-" so List() can skip half-written files of a crashed writer.
constexpr const char* kTempPrefix = ".tmp-";

std::string TempNameFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  fs::path p(path);
  return (p.parent_path() / (std::string(kTempPrefix) + p.filename().string() + "." +
                             std::to_string(getpid()) + "." + std::to_string(salt % 100000) +
                             "." + std::to_string(counter++)))
      .string();
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : ErrnoStatus("fsync " + dir, err);
}

bool IsDenied(int err) { return err == EACCES || err == EPERM || err == EROFS; }

// A lake this user may only read: the message names the lake and the object, never the
// temp file that failed first, and it is a refusal (FailedPrecondition), not an I/O error
// that callers would retry as transient.
Status Denied(const std::string& root, const std::string& doing, int err) {
  return Status::FailedPrecondition("cannot write to the lake " + root + ": " + std::strerror(err) +
                                    " (" + doing + ")");
}

Status MakeParents(const std::string& root, const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec && IsDenied(ec.value())) return Denied(root, "writing " + path, ec.value());
  if (ec) return Status::IOError("create directories for " + path + ": " + ec.message());
  return Status::OK();
}

// Writes data to a fresh temp file beside `path` and fsyncs it; returns the temp name.
Result<std::string> WriteTemp(const std::string& root, const std::string& path, std::string_view data) {
  RUNLAKE_RETURN_NOT_OK(MakeParents(root, path));
  std::string tmp = TempNameFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && IsDenied(errno)) return Denied(root, "writing " + path, errno);
  if (fd < 0) return ErrnoStatus("create " + tmp, errno);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus("write " + tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("fsync " + tmp, err);
  }
  return tmp;
}

class FileReader : public ObjectReader {
 public:
  FileReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileReader() override { ::close(fd_); }
  Result<size_t> Read(char* buf, size_t n) override {
    while (true) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return ErrnoStatus("read " + path_, errno);
    }
  }

 private:
  int fd_;
  std::string path_;
};

class LocalObjectStore : public ObjectStore {
 public:
  explicit LocalObjectStore(std::string root) : root_(std::move(root)) {}

  std::string uri() const override { return "file://" + root_; }

  Status Put(std::string_view key, std::string_view data) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string path, PathFor(key));
    RUNLAKE_ASSIGN_OR_RAISE(std::string tmp, WriteTemp(root_, path, data));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return ErrnoStatus("rename to " + path, err);
    }
    return FsyncDir(fs::path(path).parent_path().string());
  }

  Status PutIfAbsent(std::string_view key, std::string_view data) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string path, PathFor(key));
    RUNLAKE_ASSIGN_OR_RAISE(std::string tmp, WriteTemp(root_, path, data));
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      if (err == EEXIST) return Status::AlreadyExists(std::string(key) + " already exists");
      return ErrnoStatus("link " + path, err);
    }
    return FsyncDir(fs::path(path).parent_path().string());
  }

  Status PutFile(std::string_view key, const std::string& local_path) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string path, PathFor(key));
    RUNLAKE_RETURN_NOT_OK(MakeParents(root_, path));
    // Same filesystem: fsync the source, then one rename. Otherwise copy through a temp.
    int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open " + local_path, errno);
    ::fsync(fd);
    ::close(fd);
    if (::rename(local_path.c_str(), path.c_str()) == 0) {
      return FsyncDir(fs::path(path).parent_path().string());
    }
    if (IsDenied(errno)) return Denied(root_, "writing " + path, errno);
    if (errno != EXDEV) return ErrnoStatus("rename " + local_path + " to " + path, errno);
    std::string tmp = TempNameFor(path);
    std::error_code ec;
    fs::copy_file(local_path, tmp, ec);
    if (ec && IsDenied(ec.value())) return Denied(root_, "writing " + path, ec.value());
    if (ec) return Status::IOError("copy " + local_path + ": " + ec.message());
    if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename " + tmp, errno);
    return FsyncDir(fs::path(path).parent_path().string());
  }

  Result<std::string> Get(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(auto reader, OpenRead(key));
    std::string out;
    char buf[1 << 16];
    while (true) {
      RUNLAKE_ASSIGN_OR_RAISE(size_t n, reader->Read(buf, sizeof(buf)));
      if (n == 0) break;
      out.append(buf, n);
    }
    return out;
  }

  Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string path, PathFor(key));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound("object " + std::string(key) + " does not exist in " + uri());
      }
      return ErrnoStatus("open " + path, errno);
    }
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status::NotFound("object " + std::string(key) + " does not exist in " + uri());
    }
    return std::unique_ptr<ObjectReader>(new FileReader(fd, path));
  }

  Result<std::optional<ObjectInfo>> Head(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string path, PathFor(key));
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::optional<ObjectInfo>();
      return ErrnoStatus("stat " + path, errno);
    }
    if (!S_ISREG(st.st_mode)) return std::optional<ObjectInfo>();
    return std::optional<ObjectInfo>(ObjectInfo{std::string(key), uint64_t(st.st_size)});
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    std::string dir_part(prefix.substr(0, prefix.rfind('/') == std::string_view::npos
                                              ? 0 : prefix.rfind('/')));
    std::vector<ObjectInfo> out;
    std::error_code ec;
    fs::path base = dir_part.empty() ? fs::path(root_) : fs::path(root_) / dir_part;
    if (!fs::is_directory(base, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(base, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      if (name.rfind(kTempPrefix, 0) == 0) continue;
      std::string key = fs::relative(it->path(), root_, ec).string();
      if (key.compare(0, prefix.size(), prefix) != 0) continue;
      out.push_back(ObjectInfo{key, uint64_t(it->file_size(ec))});
    }
    if (ec) return Status::IOError("list " + base.string() + ": " + ec.message());
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string path, PathFor(key));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
      if (IsDenied(errno)) return Denied(root_, "deleting " + path, errno);
      return ErrnoStatus("delete " + path, errno);
    }
    RemoveEmptyParents(fs::path(path).parent_path());
    return Status::OK();
  }

  std::optional<std::string> LocalPath(std::string_view key) const override {
    return root_ + "/" + std::string(key);
  }

 private:
  Result<std::string> PathFor(std::string_view key) const {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    return root_ + "/" + std::string(key);
  }

  // S3 has no directories; keep the local lake looking the same after deletes.
  void RemoveEmptyParents(fs::path dir) {
    std::error_code ec;
    while (dir.string().size() > root_.size() && fs::is_empty(dir, ec) && !ec) {
      if (!fs::remove(dir, ec)) break;
      dir = dir.parent_path();
    }
  }

  std::string root_;
};

}  // namespace

std::unique_ptr<ObjectStore> NewLocalObjectStore(const std::string& root_dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(root_dir, ec).lexically_normal();
  std::string root = abs.string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::make_unique<LocalObjectStore>(root);
}

}  // namespace runlake
