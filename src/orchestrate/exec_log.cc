#include "runlake/exec_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runlake/clock.h"
#include "runlake/execution.h"

namespace runlake {

namespace {
// Well under NAME_MAX (255) once ".jsonl" is added.
constexpr size_t kMaxEncodedName = 200;

bool IsSafeFileNameByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-';
}
}  // namespace

std::string LogFileName(const std::string& execution_name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : execution_name) {
    if (IsSafeFileNameByte(c)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += {'%', kHex[c >> 4], kHex[c & 0xf]};
    }
  }
  if (encoded.size() > kMaxEncodedName) {
    encoded = encoded.substr(0, kMaxEncodedName - 17) + "~" +
              ExecutionInputSha256(execution_name).substr(0, 16);
  }
  return encoded + ".jsonl";
}

Result<std::unique_ptr<ExecutionLog>> ExecutionLog::Open(const std::string& log_dir,
                                                         const std::string& execution_name,
                                                         const std::string& run_id,
                                                         StateStore* state) {
  if (execution_name.empty()) return Status::InvalidArgument("execution name is empty");
  std::error_code ec;
  std::filesystem::create_directories(log_dir, ec);
  if (ec) {
    return Status::IOError("cannot create log directory " + log_dir + ": " + ec.message());
  }
  std::string path = (std::filesystem::path(log_dir) / LogFileName(execution_name)).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot open log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<ExecutionLog>(new ExecutionLog(fd, path, execution_name, run_id, state));
}

ExecutionLog::~ExecutionLog() {
  Flush();
  ::close(fd_);
}

void ExecutionLog::Flush() {
  std::lock_guard lock(mu_);
  FlushLocked();
}

void ExecutionLog::FlushLocked() {
  if (pending_.empty()) return;
  std::vector<StoredLogLine> batch;
  batch.swap(pending_);
  auto more = state_->AppendLogLines(batch);
  if (!more.ok()) {
    if (status_.ok()) {
      status_ = more.status().WithContext("keeping the log of " + execution_ + " in the state store");
    }
    return;
  }
  if (!*more) store_full_ = true;
}

void ExecutionLog::Info(const std::string& message, const nlohmann::json& extra) {
  Write("INFO", message, extra);
}
void ExecutionLog::Warn(const std::string& message, const nlohmann::json& extra) {
  Write("WARN", message, extra);
}
void ExecutionLog::Error(const std::string& message, const nlohmann::json& extra) {
  Write("ERROR", message, extra);
}

void ExecutionLog::Metric(const std::string& name, double value) {
  nlohmann::json value_json = value;  // NaN/inf become null in the line
  Write("INFO", "metric " + name + "=" + value_json.dump(),
        {{"metric_name", name}, {"metric_value", value}});
}

void ExecutionLog::Write(const char* level, const std::string& message,
                         const nlohmann::json& extra) {
  std::string timestamp = NowIso8601Utc();
  nlohmann::json line = {{"timestamp", timestamp},
                         {"level", level},
                         {"message", message},
                         {"run_id", run_id_},
                         {"execution", execution_}};
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) {
      if (!line.contains(key)) line[key] = value;
    }
  } else if (!extra.is_null()) {
    line["extra"] = extra;
  }
  // replace: a message with invalid UTF-8 (from a bad input row) must not throw.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mu_);
  // One write() per line: with O_APPEND the kernel places it at the end atomically, so
  // concurrent writers cannot interleave partial lines. Retry only EINTR and short writes.
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (status_.ok()) {
        status_ = Status::IOError("writing log " + path_ + ": " + std::strerror(errno));
      }
      break;  // the state store may still take the line
    }
    written += static_cast<size_t>(n);
  }
  if (state_ == nullptr || store_full_) return;
  auto now = std::chrono::steady_clock::now();
  if (pending_.empty()) oldest_pending_ = now;
  text.pop_back();  // the newline
  pending_.push_back({execution_, run_id_, std::move(timestamp), std::move(text)});
  // Batches, not a transaction per line: each commit of the store is a sync of its journal
  // on the execution's path, and the heartbeats wait behind it.
  if (pending_.size() >= kFlushLines || now - oldest_pending_ >= kFlushAge) FlushLocked();
}

}  // namespace runlake
