#pragma once
// A thin RAII layer over the sqlite3 C API, used by the SQLite StateStore only. Every
// sqlite error becomes a Status here, carrying the database path, so no other file
// deals with result codes.

#include <cstdint>
#include <memory>
#include <string>

#include "runlake/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace runlake::sqlite {

class Db;

// One prepared statement. Bind indexes are 1-based, column indexes 0-based, as in sqlite.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& Bind(int index, const std::string& text);
  Stmt& Bind(int index, int64_t value);
  // true: a row is available; false: the statement is done.
  Result<bool> Step();
  // Runs a statement that returns no rows to completion.
  Status Run();
  // Makes the statement ready to be bound and run again (the bindings stay).
  void Reset();

  std::string Text(int column) const;
  int64_t Int(int column) const;

 private:
  friend class Db;
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Db* db_;
  sqlite3_stmt* stmt_;
  Status bind_status_;  // first bind failure, reported by Step()
};

class Db {
 public:
  // How Open opens the file: read-write (creating it), read-only, or read-only and
  // immutable (no locks, no WAL index: for a file nobody can be writing, see
  // OpenSqliteStateStore).
  enum class Mode { kReadWrite, kReadOnly, kImmutable };
  // Opens the database at `path`; `busy_timeout_ms` is how long a call waits for another
  // connection's lock before failing with IOError.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms,
                                          Mode mode = Mode::kReadWrite);
  ~Db();

  Result<Stmt> Prepare(const std::string& sql);
  // Runs one or more statements that return no rows.
  Status Exec(const std::string& sql);
  // Puts the database in WAL mode (readers beside the one writer), waiting up to the busy
  // timeout for a concurrent creator. A filesystem without shared memory keeps the rollback
  // journal: slower under contention but correct, so not an error.
  Status UseWal();
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  // Opened read-only (Mode), or read-only because the file is.
  bool ReadOnly() const;

  const std::string& path() const { return path_; }
  // Maps sqlite result code `rc` (with this connection's message) to a Status.
  Status Error(int rc, const std::string& what) const;

 private:
  Db(sqlite3* db, std::string path, int busy_timeout_ms)
      : db_(db), path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {}
  sqlite3* db_;
  std::string path_;
  int busy_timeout_ms_;
};

// BEGIN IMMEDIATE ... COMMIT. Taking the write lock up front makes a read-then-write
// (check the name, then insert) atomic across processes, and lets the busy timeout
// apply (a deferred transaction that upgrades to a writer can fail at once instead).
// Rolls back on destruction unless committed.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(Db* db);
  Status Commit();
  ~Transaction();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
  bool done_ = false;
};

}  // namespace runlake::sqlite
