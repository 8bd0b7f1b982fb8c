// Backfill naming, dates and status strings (include/runlake/backfill.h).

#include "runlake/backfill.h"

#include <cstdio>
#include <ctime>
#include <set>

namespace runlake {
namespace {

constexpr int kMaxRangeDays = 3660;

std::time_t DayStart(const std::string& date) {
  std::tm tm{};
  std::sscanf(date.c_str(), "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

std::string FormatDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

// YYYY-MM-DD naming a real calendar day (the same rule as ValidateDate in
// runlake/layout.h, kept here so the state store does not link the lake library).
Status CheckDate(const std::string& date, const char* what) {
  bool shape = date.size() == 10 && date[4] == '-' && date[7] == '-';
  for (size_t i = 0; shape && i < date.size(); ++i) {
    if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9')) shape = false;
  }
  if (!shape || FormatDate(DayStart(date) + 43200) != date) {
    return Status::InvalidArgument(std::string(what) + " '" + date +
                                   "' is not a calendar date YYYY-MM-DD");
  }
  return Status::OK();
}

}  // namespace

const char* ToString(BackfillStatus status) {
  switch (status) {
    case BackfillStatus::kRunning: return "RUNNING";
    case BackfillStatus::kPaused: return "PAUSED";
    case BackfillStatus::kAborting: return "ABORTING";
    case BackfillStatus::kInterrupted: return "INTERRUPTED";
    case BackfillStatus::kAborted: return "ABORTED";
    case BackfillStatus::kSucceeded: return "SUCCEEDED";
    case BackfillStatus::kFailed: return "FAILED";
  }
  return "UNKNOWN";
}

Result<BackfillStatus> ParseBackfillStatus(const std::string& text) {
  for (auto s : {BackfillStatus::kRunning, BackfillStatus::kPaused, BackfillStatus::kAborting,
                 BackfillStatus::kInterrupted, BackfillStatus::kAborted,
                 BackfillStatus::kSucceeded, BackfillStatus::kFailed}) {
    if (text == ToString(s)) return s;
  }
  return Status::InvalidArgument("unknown backfill status '" + text + "'");
}

bool IsActive(BackfillStatus s) {
  return s == BackfillStatus::kRunning || s == BackfillStatus::kPaused ||
         s == BackfillStatus::kAborting || s == BackfillStatus::kInterrupted;
}

nlohmann::json BackfillOptionsToJson(const BackfillOptions& o) {
  nlohmann::json j = {{"concurrency", o.concurrency}, {"canary", o.canary},       {"promote", o.promote},
                      {"reason", o.reason},           {"schema_version", o.schema_version},
                      {"bronze_run", o.bronze_run},   {"max_attempts", o.max_attempts},
                      {"rules_hash", o.rules_hash},   {"canonical", o.canonical},
                      {"one_run", o.one_run},         {"queue", o.queue}};
  if (!o.rules_text.empty()) {
    j["rules_text"] = o.rules_text;
    j["rules_origin"] = o.rules_origin;
  }
  if (o.contract_revision != 0) j["contract_revision"] = o.contract_revision;
  if (!o.contract_text.empty()) {
    j["contract_text"] = o.contract_text;
    j["contract_origin"] = o.contract_origin;
  }
  return j;
}

Result<BackfillOptions> BackfillOptionsFromJson(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) return Status::Corruption(origin + ": the options are not a JSON object");
  BackfillOptions o;
  // Each key of its type; an unknown key is a corruption (a typo never falls back to a
  // default). A key missing takes its default: records written before it existed (a
  // migrated store) must still load.
  std::set<std::string> seen;
  auto take = [&](const char* key, auto* out) -> Status {
    if (!j.contains(key)) return Status::OK();
    seen.insert(key);
    try {
      j.at(key).get_to(*out);
    } catch (const nlohmann::json::exception&) {
      return Status::Corruption(origin + ": option '" + key + "' has the wrong type (" + j.at(key).dump() + ")");
    }
    return Status::OK();
  };
  RUNLAKE_RETURN_NOT_OK(take("concurrency", &o.concurrency));
  RUNLAKE_RETURN_NOT_OK(take("canary", &o.canary));
  RUNLAKE_RETURN_NOT_OK(take("promote", &o.promote));
  RUNLAKE_RETURN_NOT_OK(take("reason", &o.reason));
  RUNLAKE_RETURN_NOT_OK(take("schema_version", &o.schema_version));
  RUNLAKE_RETURN_NOT_OK(take("bronze_run", &o.bronze_run));
  RUNLAKE_RETURN_NOT_OK(take("max_attempts", &o.max_attempts));
  RUNLAKE_RETURN_NOT_OK(take("rules_hash", &o.rules_hash));
  RUNLAKE_RETURN_NOT_OK(take("canonical", &o.canonical));
  RUNLAKE_RETURN_NOT_OK(take("one_run", &o.one_run));
  RUNLAKE_RETURN_NOT_OK(take("queue", &o.queue));
  RUNLAKE_RETURN_NOT_OK(take("rules_text", &o.rules_text));
  RUNLAKE_RETURN_NOT_OK(take("rules_origin", &o.rules_origin));
  RUNLAKE_RETURN_NOT_OK(take("contract_revision", &o.contract_revision));
  RUNLAKE_RETURN_NOT_OK(take("contract_text", &o.contract_text));
  RUNLAKE_RETURN_NOT_OK(take("contract_origin", &o.contract_origin));
  for (const auto& [key, value] : j.items()) {
    if (!seen.count(key)) return Status::Corruption(origin + ": unknown option '" + key + "'");
  }
  return o;
}

nlohmann::json ToJson(const BackfillRecord& r) {
  nlohmann::json dates = nlohmann::json::array();
  for (const auto& d : r.dates) {
    dates.push_back({{"date", d.date}, {"source_key", d.source_key}, {"attempts", d.attempts},
                     {"run_id", d.run_id}, {"execution", d.execution}});
  }
  return {{"id", r.id},
          {"stamp", r.stamp},
          {"dataset", r.dataset.path()},
          {"from", r.from_date},
          {"to", r.to_date},
          {"status", ToString(r.status)},
          {"options", BackfillOptionsToJson(r.options)},
          {"result", r.result},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"controller_pid", r.controller_pid},
          {"controller_host", r.controller_host},
          {"controller_heartbeat_at", r.controller_heartbeat_at},
          {"dates", dates}};
}

Result<std::vector<std::string>> DateRange(const std::string& from, const std::string& to) {
  RUNLAKE_RETURN_NOT_OK(CheckDate(from, "--from"));
  RUNLAKE_RETURN_NOT_OK(CheckDate(to, "--to"));
  if (from > to) {
    return Status::InvalidArgument("--from " + from + " is after --to " + to);
  }
  std::vector<std::string> dates;
  // Noon avoids any doubt about the day boundary; timegm has no DST anyway.
  for (std::time_t t = DayStart(from) + 43200; FormatDate(t) <= to; t += 86400) {
    dates.push_back(FormatDate(t));
    if (static_cast<int>(dates.size()) > kMaxRangeDays) {
      return Status::InvalidArgument("range " + from + ".." + to + " is longer than " +
                                     std::to_string(kMaxRangeDays) + " days");
    }
  }
  return dates;
}

std::string BackfillId(const std::string& from, const std::string& to, const std::string& stamp) {
  return "backfill-" + from + (from == to ? "" : "-to-" + to) + "-" + stamp;
}

std::string BackfillRunId(const std::string& date, const std::string& stamp, int attempt) {
  return "backfill-" + date + "-" + stamp + (attempt > 1 ? "-r" + std::to_string(attempt) : "");
}

std::string BackfillExecutionName(const std::string& backfill_id, const std::string& date,
                                  int attempt) {
  return backfill_id + "/" + date + (attempt > 1 ? "#" + std::to_string(attempt) : "");
}

std::string BackfillRangeRunId(const std::string& from, const std::string& to,
                               const std::string& stamp, int attempt) {
  return BackfillRunId(from + "-to-" + to, stamp, attempt);
}

std::string BackfillRangeExecutionName(const std::string& backfill_id, const std::string& from,
                                       const std::string& to, int attempt) {
  return BackfillExecutionName(backfill_id, from + ".." + to, attempt);
}

std::string NextStamp(const std::string& stamp) {
  std::tm tm{};
  if (std::sscanf(stamp.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return stamp + "1";
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t t = timegm(&tm) + 1;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace runlake
