#include "engine/month_writers_internal.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "engine/batch_pipe_internal.h"
#include "engine/batch_queue_internal.h"
#include "engine/run_scan_internal.h"
#include "engine/year_month_key_internal.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

// Runs a COPY ... (RETURN_STATS true) and keeps each file's name and row count as DuckDB's
// writer reported them (the other columns are nested statistics we do not need).
Result<FileCounts> CopyWithStats(duckdb_connection conn, const std::string& sql) {
  duckdb_result result;
  if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
    Status st = StatusFromDuckDB(duckdb_result_error_type(&result), duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return st;
  }
  FileCounts out;
  for (idx_t r = 0; r < duckdb_row_count(&result); r++) {
    char* name = duckdb_value_varchar(&result, 0, r);
    if (name != nullptr) out.emplace_back(name, duckdb_value_int64(&result, 1, r));
    duckdb_free(name);
  }
  duckdb_destroy_result(&result);
  return out;
}

// One COPY on its own connection and thread, reading `queue` through runlake_scan.
class Writer {
 public:
  Writer(Engine::Impl* impl, const MonthWritersOptions& o) : queue_(o.queue_depth) {
    source_.queue = &queue_;
    source_.fields = o.fields;
    source_.max_threads = o.scan_threads;
    registration_ = std::make_unique<ScanRegistration>(impl, &source_);
  }
  ~Writer() { Join(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Status Start(Engine::Impl* impl, const std::string& setup, const std::string& copy_sql) {
    if (duckdb_connect(impl->db, &conn_) == DuckDBError) {
      conn_ = nullptr;
      return Status::Internal("WriteRun: cannot open another DuckDB connection");
    }
    thread_ = std::thread([this, setup, copy_sql] {
      Status st = setup.empty() ? Status::OK() : RunSql(conn_, setup);
      result_ = st.ok() ? CopyWithStats(conn_, copy_sql) : Result<FileCounts>(st);
      queue_.Detach();  // after this no Push waits for a scan that will never come
    });
    return Status::OK();
  }

  void Join() {
    if (thread_.joinable()) thread_.join();
    if (conn_ != nullptr) duckdb_disconnect(&conn_);
  }

  int64_t scan_id() const { return registration_->id(); }
  BatchQueue& queue() { return queue_; }
  // The batch the router is filling for this writer.
  std::unique_ptr<ValidRows>& filling() { return filling_; }
  // After Join.
  const Result<FileCounts>& result() const { return result_; }
  int64_t rows_emitted() const { return source_.rows_emitted.load(); }

 private:
  BatchQueue queue_;
  RunScanSource source_;
  std::unique_ptr<ScanRegistration> registration_;
  duckdb_connection conn_ = nullptr;
  std::thread thread_;
  Result<FileCounts> result_ = FileCounts{};
  std::unique_ptr<ValidRows> filling_;
};

class Router {
 public:
  Router(Engine::Impl* impl, const MonthWritersOptions& o) : impl_(impl), o_(o) {}

  // Hands `batch`'s rows to their writers. Afterwards *batch is a cleared batch to give
  // back to the pipe (the same one, or a free one when it passed whole). False when a
  // writer is gone (its COPY failed) or could not start: stop and Finish.
  bool Route(std::unique_ptr<ValidRows>* batch) {
    ValidRows& b = **batch;
    const size_t n = b.size();
    keys_.resize(n);
    bool uniform = true;
    for (size_t i = 0; i < n; i++) {
      keys_[i] = YearMonthKey(b.partition_micros[i]);
      uniform = uniform && keys_[i] == keys_[0];
    }
    if (n == 0) return true;
    if (uniform) {
      Writer* w = WriterFor(keys_[0]);
      if (w == nullptr || !FlushFilling(w)) return false;
      std::unique_ptr<ValidRows> spare = w->queue().TakeFree();
      if (!w->queue().Push(std::move(*batch))) return false;
      *batch = std::move(spare);
      return true;
    }
    // Each month's rows gathered column by column, in their order (a month's rows keep the
    // source's order whatever the months around them).
    for (auto& [key, rows] : rows_by_key_) rows.clear();  // kept: no allocation per batch
    for (size_t i = 0; i < n; i++) rows_by_key_[keys_[i]].push_back(static_cast<uint32_t>(i));
    for (auto& [key, rows] : rows_by_key_) {
      if (rows.empty()) continue;
      Writer* w = WriterFor(key);
      if (w == nullptr) return false;
      for (size_t done = 0; done < rows.size();) {
        if (w->filling() == nullptr) w->filling() = w->queue().TakeFree();
        // A filling batch is below batch_rows (it is flushed on reaching it).
        const size_t take = std::min(rows.size() - done, o_.batch_rows - w->filling()->size());
        w->filling()->AppendRows(b, rows.data() + done, take);
        done += take;
        if (w->filling()->size() >= o_.batch_rows) {
          if (!FlushFilling(w)) return false;
          w->filling() = w->queue().TakeFree();
        }
      }
    }
    b.Clear();
    return true;
  }

  // Ends every writer: at a clean end (`why` OK and nothing failed) after their last rows,
  // else at once, and joins them. Returns the files, or the first failing COPY's error.
  Result<MonthsWritten> Finish(const Status& why) {
    bool clean = why.ok() && start_error_.ok();
    for (auto& w : writers_) {
      if (clean && !FlushFilling(w.get())) clean = false;
    }
    for (auto& w : writers_) {
      if (clean) {
        w->queue().Close();
      } else {
        w->queue().Abort(why.ok() ? Status::Aborted("another silver writer failed") : why);
      }
    }
    for (auto& w : writers_) w->Join();
    if (!why.ok()) return why;
    RUNLAKE_RETURN_NOT_OK(start_error_);
    // The first error that is not the abort this router sent the others.
    Status first_error;
    MonthsWritten out;
    for (auto& w : writers_) {
      out.rows_emitted += w->rows_emitted();
      if (!w->result().ok()) {
        if (first_error.ok() || first_error.code() == StatusCode::kAborted)
          first_error = w->result().status();
        continue;
      }
      out.files.insert(out.files.end(), w->result()->begin(), w->result()->end());
    }
    if (!first_error.ok()) return first_error;
    if (!clean) return Status::Internal("WriteRun: a silver writer stopped without an error");
    return out;
  }

 private:
  bool FlushFilling(Writer* w) {
    if (w->filling() == nullptr || w->filling()->size() == 0) return true;
    return w->queue().Push(std::move(w->filling()));
  }

  // The writer of month `key`, started on first use; null if it could not start.
  Writer* WriterFor(int64_t key) {
    auto it = by_key_.find(key);
    if (it != by_key_.end()) return it->second;
    Writer* w = nullptr;
    if (month_writers_ < o_.max_month_writers) {
      w = Start(o_.month_setup, o_.month_copy, o_.silver_dir / ("month=" + std::to_string(key)));
      ++month_writers_;
    } else {
      if (overflow_ == nullptr) overflow_ = Start(o_.overflow_setup, o_.overflow_copy,
                                                  o_.silver_dir / "overflow");
      w = overflow_;
    }
    if (w != nullptr) by_key_[key] = w;
    return w;
  }

  Writer* Start(const std::string& setup,
                const std::function<std::string(int64_t, const fs::path&)>& copy,
                const fs::path& dir) {
    auto w = std::make_unique<Writer>(impl_, o_);
    Status st = w->Start(impl_, setup, copy(w->scan_id(), dir));
    if (!st.ok()) {
      start_error_ = st;
      return nullptr;
    }
    writers_.push_back(std::move(w));
    return writers_.back().get();
  }

  Engine::Impl* impl_;
  const MonthWritersOptions& o_;
  std::vector<std::unique_ptr<Writer>> writers_;
  std::map<int64_t, Writer*> by_key_;
  size_t month_writers_ = 0;
  Writer* overflow_ = nullptr;
  Status start_error_;
  std::vector<int64_t> keys_;
  std::map<int64_t, std::vector<uint32_t>> rows_by_key_;
};

}  // namespace

Result<MonthsWritten> WriteMonths(Engine::Impl* impl, BatchPipe* pipe,
                                  const MonthWritersOptions& options) {
  Router router(impl, options);
  bool routed = true;
  while (routed) {
    std::unique_ptr<ValidRows> batch = pipe->Pop();
    if (batch == nullptr) break;
    routed = router.Route(&batch);
    pipe->Recycle(std::move(batch));
  }
  pipe->Finish();  // a writer failed: the puller stops after its current batch
  Status pulled = pipe->error();
  return router.Finish(pulled);
}

Result<int64_t> SilverMonthOfFile(const fs::path& file) {
  constexpr std::string_view kPrefix = "month=";
  const std::string dir = file.parent_path().filename().string();
  int64_t key = 0;
  const char* first = dir.data() + kPrefix.size();
  const char* last = dir.data() + dir.size();
  if (dir.compare(0, kPrefix.size(), kPrefix) != 0 ||
      std::from_chars(first, last, key).ptr != last) {
    return Status::Internal("WriteRun: unexpected silver file " + file.string());
  }
  return key;
}

}  // namespace runlake
