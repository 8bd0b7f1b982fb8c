#include "state/sqlite/db_internal.h"
#include "common/test_hooks.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <thread>
#include <cerrno>
#include <utility>

#include "state/sqlite/fault_vfs.h"

namespace runlake::sqlite {

Status Db::Error(int rc, const std::string& what) const {
  std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string message = "state store " + path_ + ": " + what + ": " + detail;
  // SQLite reports a full disk as SQLITE_FULL or, on a failed write, as "disk I/O error":
  // say "disk full" (ResourceExhausted: waiting does not free the disk).
  int sys_errno = db_ != nullptr ? sqlite3_system_errno(db_) : 0;
  if ((rc & 0xff) == SQLITE_FULL || ((rc & 0xff) == SQLITE_IOERR && (sys_errno == ENOSPC || sys_errno == EDQUOT))) {
    return Status::ResourceExhausted("state store " + path_ + ": " + what + ": disk full (" + detail + ")");
  }
  // Said plainly: the statement that tried to write means nothing to the user.
  if ((rc & 0xff) == SQLITE_READONLY) {
    return Status::FailedPrecondition("state store " + path_ +
                                      " is read-only: this user may not write it or its folder");
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("state store " + path_ + " is locked by another process (gave up after " +
                             std::to_string(busy_timeout_ms_) + " ms): " + what + ": " + detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(message);
    case SQLITE_CONSTRAINT:
      return Status::Conflict(message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return Status::IOError(message);
    default:
      return Status::Internal(message);
  }
}

namespace {

// A file: URI for `path` (read-only opening needs URI parameters): the bytes that a URI
// reserves are %-escaped, so a path with '?', '#' or '%' stays the same path.
std::string FileUri(const std::string& path, const char* params) {
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '?' || c == '#' || c == '%' || c < 0x20 || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      uri += buf;
    } else {
      uri.push_back(static_cast<char>(c));
    }
  }
  return uri + "?" + params;
}

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int busy_timeout_ms, Mode mode) {
  // Test-only: the state fault sweep fails or crashes the real binary at its K-th write to
  // disk (fault_vfs.h). Unset in production, so this costs one getenv.
  const char* vfs = nullptr;
  if (const char* fault = std::getenv(test_hooks::kStateFault); fault != nullptr && *fault != '\0') {
    RUNLAKE_ASSIGN_OR_RAISE(vfs, FaultVfsName(fault));
  }
  sqlite3* handle = nullptr;
  int rc = mode == Mode::kReadWrite
               ? sqlite3_open_v2(path.c_str(), &handle,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs)
               : sqlite3_open_v2(FileUri(path, mode == Mode::kImmutable ? "immutable=1" : "mode=ro").c_str(),
                                 &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, vfs);
  std::unique_ptr<Db> db(new Db(handle, path, busy_timeout_ms));
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, busy_timeout_ms);
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Result<Stmt> Db::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "prepare");
  }
  return Stmt(this, stmt);
}

Status Db::Exec(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::OK() : Error(rc, "exec");
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

bool Db::ReadOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)),
      bind_status_(std::move(other.bind_status_)) {}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int index, const std::string& text) {
  int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = db_->Error(rc, "bind");
  return *this;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = db_->Error(rc, "bind");
  return *this;
}

Result<bool> Stmt::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The statement names itself: "locked" alone does not say which step of which work.
  const char* sql = sqlite3_sql(stmt_);
  return db_->Error(rc, std::string("step '") + (sql != nullptr ? sql : "?") + "'");
}

Status Stmt::Run() {
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, Step());
    if (!row) return Status::OK();
  }
}

void Stmt::Reset() { sqlite3_reset(stmt_); }

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

Status Db::UseWal() {
  // Switching a new file to WAL takes an exclusive lock, and SQLite does not call the busy
  // handler for it: two processes creating the store at once would fail at once. The mode
  // is persistent, so an existing store only reads it; a new one retries for the timeout.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms_);
  for (int pause_ms = 1;; pause_ms = std::min(pause_ms * 2, 50)) {
    {  // the statement must be finished before the mode can change
      RUNLAKE_ASSIGN_OR_RAISE(Stmt current, Prepare("PRAGMA journal_mode"));
      RUNLAKE_ASSIGN_OR_RAISE(bool row, current.Step());
      if (row && current.Text(0) == "wal") return Status::OK();
    }
    int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::OK();  // or a filesystem without WAL: still correct
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
      return Error(rc, "PRAGMA journal_mode=WAL");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  }
}

Result<std::unique_ptr<Transaction>> Transaction::Begin(Db* db) {
  RUNLAKE_RETURN_NOT_OK(db->Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<Transaction>(new Transaction(db));
}

Status Transaction::Commit() {
  RUNLAKE_RETURN_NOT_OK(db_->Exec("COMMIT"));
  done_ = true;
  return Status::OK();
}

Transaction::~Transaction() {
  // A destructor cannot report; SQLite rolls back an unfinished transaction itself when the
  // connection closes.
  if (!done_) (void)db_->Exec("ROLLBACK");
}

}  // namespace runlake::sqlite
