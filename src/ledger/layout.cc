#include "runlake/layout.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <vector>

namespace runlake {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-';
}

// Strips "name=" from a Hive path segment; nullopt when the segment is not one.
std::optional<std::string> HiveValue(const std::string& segment, const std::string& name) {
  std::string prefix = name + "=";
  if (segment.rfind(prefix, 0) != 0) return std::nullopt;
  return segment.substr(prefix.size());
}

}  // namespace

Result<DatasetId> ParseDatasetId(const std::string& text) {
  auto parts = Split(text, '/');
  // 63 characters a part: a name stays one path segment on every file system and store.
  auto ok_part = [](const std::string& p) {
    if (p.empty() || p == "." || p == ".." || p.size() > 63) return false;
    for (char c : p) if (!IsNameChar(c)) return false;
    return true;
  };
  if (parts.size() != 2 || !ok_part(parts[0]) || !ok_part(parts[1])) {
    return Status::InvalidArgument("dataset '" + EscapeForMessage(text) + "' must look like domain/dataset "
                                   "(each part 1 to 63 letters, digits, '.', '_', '-')");
  }
  return DatasetId{parts[0], parts[1]};
}

// A character as it can be printed in a message: itself when printable ASCII, else \xNN,
// so a bad byte never reaches the terminal raw.
static std::string EscapedChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f && c != '\'' && c != '\\') return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", u);
  return buf;
}

std::string EscapeForMessage(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 160)) out += c == ' ' ? std::string(" ") : EscapedChar(c);
  if (text.size() > 160) out += "...";
  return out;
}

Status ValidateRunId(const std::string& run_id) {
  if (run_id.empty()) return Status::InvalidArgument("a run_id must not be empty");
  const std::string shown = "run_id '" + EscapeForMessage(run_id) + "'";
  if (run_id.size() > 128) {
    return Status::InvalidArgument(shown + " is " + std::to_string(run_id.size()) +
                                   " characters long (at most 128)");
  }
  for (char c : run_id) {
    if (!IsNameChar(c)) {
      return Status::InvalidArgument(shown + " has character '" + EscapedChar(c) +
                                     "' (allowed: A-Z a-z 0-9 . _ -)");
    }
  }
  // A leading '.' or '-' makes a hidden file (`_runs/..json`) or an option in positional
  // use (`runs show -x`): the first character is a letter or digit.
  if (!std::isalnum(static_cast<unsigned char>(run_id[0]))) {
    return Status::InvalidArgument(shown + " must start with a letter or digit");
  }
  if (run_id.find("..") != std::string::npos) {
    return Status::InvalidArgument(shown + " must not contain '..'");
  }
  return Status::OK();
}

Status ValidateDate(const std::string& date) {
  int y, m, d;
  char tail;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' ||
      std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
    return Status::InvalidArgument("date '" + date + "' is not YYYY-MM-DD");
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{unsigned(m)}, day{unsigned(d)}};
  if (!ymd.ok()) return Status::InvalidArgument("date '" + date + "' is not a calendar date");
  return Status::OK();
}

Result<BronzeKeyParts> ParseBronzeKey(const std::string& key) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("bronze key '" + key + "' " + why +
                                   " (expected bronze/<domain>/<dataset>/ingest_date=YYYY-MM-"
                                   "DD/run_id=<RID>/<file>)");
  };
  auto parts = Split(key, '/');
  if (parts.size() != 6 || parts[0] != "bronze") return bad("has the wrong shape");
  auto date = HiveValue(parts[3], "ingest_date");
  auto rid = HiveValue(parts[4], "run_id");
  if (!date || !rid) return bad("lacks ingest_date= or run_id=");
  if (!ValidateDate(*date).ok()) return bad("has an invalid ingest_date");
  if (!ValidateRunId(*rid).ok()) return bad("has an invalid run_id");
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId d, ParseDatasetId(parts[1] + "/" + parts[2]));
  if (parts[5].empty()) return bad("has no file name");
  return BronzeKeyParts{d, *date, *rid, parts[5]};
}

namespace layout {

std::string BronzeDatePrefix(const DatasetId& d, const std::string& ingest_date) {
  return BronzeDatasetPrefix(d) + "ingest_date=" + ingest_date + "/";
}

std::string BronzeKey(const DatasetId& d, const std::string& ingest_date,
                      const std::string& run_id, const std::string& file_name) {
  return BronzeDatePrefix(d, ingest_date) + "run_id=" + run_id + "/" + file_name;
}

std::string BronzeIngestRecordKey(const DatasetId& d, const std::string& ingest_date,
                                  const std::string& run_id) {
  return BronzeIngestRecordsPrefix(d) + ingest_date + "/" + run_id + ".json";
}

std::string SilverPartitionDir(const DatasetId& d, const std::string& year_month_partition,
                               const std::string& schema_v, const std::string& run_id) {
  return "silver/" + d.path() + "/" + year_month_partition + "/schema_v=" + schema_v +
         "/run_id=" + run_id;
}

std::string RejectDir(const std::string& layer, const DatasetId& d,
                      const std::string& ingest_date, const std::string& run_id) {
  return layer + "/" + d.path() + "/ingest_date=" + ingest_date + "/run_id=" + run_id;
}

std::string PartFileName(int index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05d.parquet", index);
  return buf;
}

std::string RunManifestKey(const std::string& run_id) { return "_runs/" + run_id + ".json"; }
std::string RunClaimKey(const std::string& run_id) { return kRunClaimsPrefix + run_id + ".json"; }

std::string BronzeDatasetPrefix(const DatasetId& d) { return kBronzePrefix + d.path() + "/"; }

std::string BronzeIngestRecordsPrefix(const DatasetId& d) { return BronzeDatasetPrefix(d) + "_ingests/"; }

std::string GoldRunDir(const DatasetId& table, const std::string& run_id) {
  return "gold/" + table.path() + "/run_id=" + run_id;
}

std::string SuccessKey(const std::string& dir) { return dir + "/_SUCCESS"; }

std::string PointerLogPrefix(const std::string& layer, const DatasetId& d) {
  return layer + "/" + d.path() + "/_pointer_log/";
}

std::string LatestKey(const std::string& layer, const DatasetId& d) { return layer + "/" + d.path() + "/_LATEST.json"; }

std::string DatasetRevisionsPrefix(const DatasetId& d) { return kDatasetsPrefix + d.path() + "/"; }

std::string DatasetRevisionKey(const DatasetId& d, int64_t revision) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%010lld.yaml", static_cast<long long>(revision));
  return DatasetRevisionsPrefix(d) + buf;
}

std::optional<DatasetRevisionRef> ParseDatasetRevisionKey(const std::string& key) {
  auto parts = Split(key, '/');
  if (parts.size() != 4 || parts[0] + "/" != kDatasetsPrefix) return std::nullopt;
  const std::string& name = parts[3];
  if (name.size() != 15 || name.compare(10, 5, ".yaml") != 0) return std::nullopt;
  for (size_t i = 0; i < 10; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
  }
  auto d = ParseDatasetId(parts[1] + "/" + parts[2]);
  if (!d.ok()) return std::nullopt;
  int64_t revision = std::stoll(name.substr(0, 10));
  if (revision < 1) return std::nullopt;
  return DatasetRevisionRef{*d, revision};
}

}  // namespace layout
}  // namespace runlake
