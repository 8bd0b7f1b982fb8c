// SearchLogs: a CloudWatch filter-log-events over the JSON-lines logs of exec_log.cc.

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "runlake/exec_log.h"
#include "orchestrate/log_text_internal.h"

namespace runlake {

namespace {
namespace fs = std::filesystem;

// The filter of a query, and its cheap test on a raw line (log_text_internal.h).
struct Filter {
  std::string pattern;
  std::string raw_text;  // "": no cheap test, parse every line
  bool Skips(const std::string& text) const {
    return !raw_text.empty() && text.find(raw_text) == std::string::npos;
  }
};

std::string StringField(const nlohmann::json& line, const char* key) {
  auto it = line.find(key);
  return it != line.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Appends the matching lines of one file, and (when `execution` is given) sets it to the
// execution the file belongs to, named in its first line. A file that vanished meanwhile has
// no lines.
Status ScanFile(const fs::path& path, const LogQuery& q, const Filter& filter,
                std::vector<nlohmann::json>* out, std::string* execution) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return Status::OK();
    return Status::IOError("cannot read log " + path.string() + ": " + std::strerror(errno));
  }
  std::string text;
  bool first = execution != nullptr;
  while (std::getline(in, text)) {
    if (first) {
      first = false;
      auto line = nlohmann::json::parse(text, nullptr, false);
      if (!line.is_discarded() && line.is_object()) *execution = StringField(line, "execution");
    }
    if (filter.Skips(text)) continue;  // cheap test first: most lines fail it
    auto line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) continue;  // torn or foreign line
    if (!q.run_id.empty() && StringField(line, "run_id") != q.run_id) continue;
    if (!q.execution.empty() && StringField(line, "execution") != q.execution) continue;
    if (!LogLineMatches(line, filter.pattern)) continue;
    out->push_back(std::move(line));
  }
  if (in.bad()) return Status::IOError("reading log " + path.string() + " failed");
  return Status::OK();
}

// Every matching line of the files under `log_dir`, in file order (not yet sorted), and
// (when `here` is given) the executions whose files are here, matching or not: each file
// holds one execution's lines, named in its first line.
Result<std::vector<nlohmann::json>> ScanLocalLogs(const std::string& log_dir, const LogQuery& q,
                                                  const Filter& filter,
                                                  std::vector<std::string>* here) {
  std::vector<nlohmann::json> lines;
  std::error_code ec;
  if (!fs::is_directory(log_dir, ec)) return lines;

  std::vector<fs::path> files;
  if (!q.execution.empty()) {
    files.push_back(fs::path(log_dir) / LogFileName(q.execution));
  } else {
    for (fs::directory_iterator it(log_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".jsonl" && it->is_regular_file(ec)) {
        files.push_back(it->path());
      }
    }
    if (ec) return Status::IOError("listing log directory " + log_dir + ": " + ec.message());
    std::sort(files.begin(), files.end());  // deterministic order among equal timestamps
  }
  for (const fs::path& file : files) {
    std::string execution;
    RUNLAKE_RETURN_NOT_OK(ScanFile(file, q, filter, &lines, here ? &execution : nullptr));
    if (!execution.empty()) here->push_back(std::move(execution));
  }
  return lines;
}

// Sorted by timestamp (ties keep their order), then the page `q` asks for.
std::vector<nlohmann::json> SortAndPage(std::vector<nlohmann::json> lines, const LogQuery& q) {
  // ISO-8601 UTC with fixed width sorts chronologically as text.
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
    return StringField(a, "timestamp") < StringField(b, "timestamp");
  });
  if (q.offset > 0) {
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(std::min(q.offset, lines.size())));
  }
  if (q.limit > 0 && lines.size() > q.limit) lines.resize(q.limit);
  return lines;
}

// The store's lines of the executions not in `here` that match `q`, the oldest offset +
// limit of them (every one without a limit). The store tests the cheap literal only, so
// a page of its lines may hold lines the phrase rejects: ask for more until enough match
// or the store has no more.
Result<std::vector<nlohmann::json>> StoredLines(StateStore& state, const LogQuery& q,
                                                const Filter& filter,
                                                std::vector<std::string> here) {
  StoredLogQuery sq;
  sq.execution = q.execution;
  sq.run_id = q.run_id;
  if (!filter.raw_text.empty()) sq.terms = {filter.raw_text};
  sq.skip_executions = std::move(here);
  // A page far past the end must not wrap around to an early one (nor overflow the SQL).
  constexpr size_t kMost = static_cast<size_t>(INT64_MAX) / 4;
  const size_t wanted = q.limit == 0 ? 0 : std::min(kMost, std::min(kMost, q.offset) + q.limit);
  sq.limit = wanted;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(auto stored, state.SearchLogLines(sq));
    std::vector<nlohmann::json> matching;
    for (const StoredLogLine& l : stored) {
      auto line = nlohmann::json::parse(l.text, nullptr, false);
      if (line.is_discarded() || !line.is_object()) continue;
      if (LogLineMatches(line, filter.pattern)) matching.push_back(std::move(line));
    }
    if (sq.limit == 0 || stored.size() < sq.limit || matching.size() >= wanted) return matching;
    sq.limit *= 4;
  }
}

}  // namespace

Result<std::vector<nlohmann::json>> SearchLogs(const std::string& log_dir, const LogQuery& q) {
  return SearchLogs(nullptr, log_dir, q);
}

Result<std::vector<nlohmann::json>> SearchLogs(StateStore* state, const std::string& log_dir,
                                               const LogQuery& q) {
  const Filter filter{q.filter_pattern, LogFilterRawText(q.filter_pattern)};
  std::vector<std::string> here;
  RUNLAKE_ASSIGN_OR_RAISE(auto lines, ScanLocalLogs(log_dir, q, filter, state ? &here : nullptr));
  if (state == nullptr) return SortAndPage(std::move(lines), q);

  // A file here is the whole log of its execution (every line goes to it first; the store
  // gets them in batches, up to its cap): the store supplies the executions of elsewhere.
  RUNLAKE_ASSIGN_OR_RAISE(auto from_store, StoredLines(*state, q, filter, std::move(here)));
  for (auto& line : from_store) lines.push_back(std::move(line));
  return SortAndPage(std::move(lines), q);
}

}  // namespace runlake
