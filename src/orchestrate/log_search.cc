// SearchLogs: a CloudWatch filter-log-events over the JSON-lines logs of exec_log.cc.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "orchestrate/exec_log.h"

namespace runlake {

namespace {
namespace fs = std::filesystem;

// "a b" -> {a, b}; "\"a b\" c" -> {"a b", c}. An unterminated quote runs to the end.
std::vector<std::string> ParseFilterTerms(const std::string& pattern) {
  std::vector<std::string> terms;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ' ' || pattern[i] == '\t') {
      ++i;
    } else if (pattern[i] == '"') {
      size_t end = pattern.find('"', i + 1);
      if (end == std::string::npos) end = pattern.size();
      std::string phrase = pattern.substr(i + 1, end - i - 1);
      if (!phrase.empty()) terms.push_back(std::move(phrase));
      i = end + 1;
    } else {
      size_t end = pattern.find_first_of(" \t", i);
      if (end == std::string::npos) end = pattern.size();
      terms.push_back(pattern.substr(i, end - i));
      i = end;
    }
  }
  return terms;
}

bool MatchesAll(const std::string& line, const std::vector<std::string>& terms) {
  return std::all_of(terms.begin(), terms.end(),
                     [&](const std::string& t) { return line.find(t) != std::string::npos; });
}

std::string StringField(const nlohmann::json& line, const char* key) {
  auto it = line.find(key);
  return it != line.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Appends the matching lines of one file, and (when `execution` is given) sets it to the
// execution the file belongs to, named in its first line. A file that vanished meanwhile has
// no lines.
Status ScanFile(const fs::path& path, const LogQuery& q, const std::vector<std::string>& terms,
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
    if (!MatchesAll(text, terms)) continue;  // cheap test first: most lines fail it
    auto line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) continue;  // torn or foreign line
    if (!q.run_id.empty() && StringField(line, "run_id") != q.run_id) continue;
    if (!q.execution.empty() && StringField(line, "execution") != q.execution) continue;
    out->push_back(std::move(line));
  }
  if (in.bad()) return Status::IOError("reading log " + path.string() + " failed");
  return Status::OK();
}

// Every matching line of the files under `log_dir`, in file order (not yet sorted), and
// (when `here` is given) the executions whose files are here, matching or not: each file
// holds one execution's lines, named in its first line.
Result<std::vector<nlohmann::json>> ScanLocalLogs(const std::string& log_dir, const LogQuery& q,
                                                  const std::vector<std::string>& terms,
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
    RUNLAKE_RETURN_NOT_OK(ScanFile(file, q, terms, &lines, here ? &execution : nullptr));
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

}  // namespace

Result<std::vector<nlohmann::json>> SearchLogs(const std::string& log_dir, const LogQuery& q) {
  return SearchLogs(nullptr, log_dir, q);
}

Result<std::vector<nlohmann::json>> SearchLogs(StateStore* state, const std::string& log_dir,
                                               const LogQuery& q) {
  const std::vector<std::string> terms = ParseFilterTerms(q.filter_pattern);
  std::vector<std::string> here;
  RUNLAKE_ASSIGN_OR_RAISE(auto lines, ScanLocalLogs(log_dir, q, terms, state ? &here : nullptr));
  if (state == nullptr) return SortAndPage(std::move(lines), q);

  // A file here is the whole log of its execution (every line goes to it first; the store
  // gets them in batches, up to its cap): the store supplies the executions of elsewhere.
  StoredLogQuery sq;
  sq.execution = q.execution;
  sq.run_id = q.run_id;
  sq.terms = terms;
  sq.skip_executions = std::move(here);
  sq.limit = q.limit == 0 ? 0 : q.offset + q.limit;
  RUNLAKE_ASSIGN_OR_RAISE(auto from_store, state->SearchLogLines(sq));
  for (const StoredLogLine& l : from_store) {
    auto line = nlohmann::json::parse(l.text, nullptr, false);
    if (!line.is_discarded() && line.is_object()) lines.push_back(std::move(line));
  }
  return SortAndPage(std::move(lines), q);
}

}  // namespace runlake
