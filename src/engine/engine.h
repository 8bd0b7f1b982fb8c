#pragma once
// Engine: one embedded, in-memory DuckDB database and its connection. The only door to
// DuckDB for the rest of runlake: no header outside src/engine includes duckdb.h, and every
// DuckDB error is turned into a Status here.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/query_result.h"
#include "runlake/status.h"

namespace runlake {

struct EngineOptions {
  int threads = 0;             // 0: DuckDB's default (one per core)
  std::string memory_limit;    // e.g. "512MB"; "": DuckDB's default (80% of RAM)
  std::string temp_directory;  // where DuckDB may spill; "": spilling disabled
};

// Not thread-safe: one call at a time per Engine (open one Engine per worker thread).
class Engine {
 public:
  // Opens a fresh in-memory database. DuckDB is configured not to write outside
  // options.temp_directory (no ./.tmp, no extension installs, no persistent secrets).
  // InvalidArgument when DuckDB rejects an option (e.g. a bad memory_limit).
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs one or more ';'-separated statements and discards their results.
  // Errors: InvalidArgument with DuckDB's message for bad SQL or data, IOError for file
  // errors, Aborted when interrupted, Internal for DuckDB internal/fatal errors.
  Status Execute(const std::string& sql);

  // Makes this engine read-only for user SQL: no file writes (COPY ... TO), ATTACH,
  // INSTALL/LOAD, and no file reads outside `readable_dirs` (each a directory); the
  // settings are then locked, so the SQL cannot undo them. Call after the views exist.
  // From then on Query refuses any statement that is not a read (SELECT, or EXPLAIN,
  // DESCRIBE, SUMMARIZE of one) with InvalidArgument naming its type, before running any
  // statement of the text.
  Status LockDown(const std::vector<std::string>& readable_dirs);
  // Cancels the statement running on this engine (from any thread, e.g. a timeout or a
  // signal watcher); Query then returns Aborted.
  void Interrupt();
  // Runs the statements and returns the last one's rows (errors as for Execute).
  // Nested values (lists, structs) are rendered by DuckDB's own cast to VARCHAR, which
  // needs the statement's text: unless `sql` is one SELECT, a last result with a nested
  // column is refused with InvalidArgument (send that SELECT on its own).
  Result<QueryResult> Query(const std::string& sql);

  // Runs one SELECT whose result is (VARCHAR, BIGINT) and calls fn for each row as DuckDB
  // streams it, one chunk in memory at a time (a big result is never materialised). A NULL
  // text is passed as "", a NULL number as 0. Stops at fn's first error and returns it;
  // errors as for Execute otherwise.
  Status StreamTextAndNumber(const std::string& sql,
                             const std::function<Status(std::string_view text, int64_t number)>& fn);

  // SQL string literal: it's -> 'it''s'.
  static std::string Quote(const std::string& s);
  // SQL identifier: my "view" -> "my ""view""".
  static std::string QuoteIdentifier(const std::string& s);

  // The version of the DuckDB library loaded at run time ("v1.4.4"), which is what
  // answers queries even if a different libduckdb.so is found than the one built against.
  static std::string LibraryVersion();

  // Opaque outside src/engine (see engine_internal.h).
  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace runlake
