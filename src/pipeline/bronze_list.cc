// ListBronze: one LIST per date for short ranges (bounded by the range, not by history),
// one LIST of the dataset's whole bronze prefix for long ranges and for "every date"
// (fewer round trips once a range spans more dates than a page holds objects), then one
// GET per ingest record. Either way the result is the same.

#include "runlake/bronze.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

namespace runlake {
namespace {

constexpr size_t kMaxRangeDays = 3660;
constexpr size_t kPerDateListMaxDays = 16;

std::string FormatDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

// Every date from `from` to `to`, both already valid dates.
Result<std::vector<std::string>> Dates(const std::string& from, const std::string& to) {
  std::tm tm{};
  tm.tm_year = std::stoi(from.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(from.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(from.substr(8, 2));
  tm.tm_hour = 12;  // noon: no doubt about the day boundary
  std::vector<std::string> out;
  for (std::time_t t = timegm(&tm); FormatDate(t) <= to; t += 86400) {
    out.push_back(FormatDate(t));
    if (out.size() > kMaxRangeDays) {
      return Status::InvalidArgument("range " + from + ".." + to + " is longer than " +
                                     std::to_string(kMaxRangeDays) + " days");
    }
  }
  return out;
}

Status CheckRange(const BronzeListRequest& r) {
  if (r.from.empty() != r.to.empty()) {
    return Status::InvalidArgument("give both --from and --to (or --date), not only one");
  }
  if (r.from.empty()) return Status::OK();
  RUNLAKE_RETURN_NOT_OK(ValidateDate(r.from).WithContext("--from"));
  RUNLAKE_RETURN_NOT_OK(ValidateDate(r.to).WithContext("--to"));
  if (r.from > r.to) return Status::InvalidArgument("--from " + r.from + " is after --to " + r.to);
  return Status::OK();
}

// date -> bronze run_id -> entries, filled from listings.
using Index = std::map<std::string, std::map<std::string, std::vector<BronzeObject>>>;

bool InRange(const BronzeListRequest& r, const std::string& date) {
  return r.from.empty() || (date >= r.from && date <= r.to);
}

// Sorts one listing into objects (bronze/<ds>/ingest_date=D/run_id=R/<name>) and ingest
// record keys (bronze/<ds>/_ingests/D/R.json); anything else under bronze is ignored.
void Classify(const std::vector<ObjectInfo>& listed, const BronzeListRequest& r, Index* index,
              std::map<std::pair<std::string, std::string>, std::string>* records) {
  std::string records_prefix = layout::BronzeIngestRecordsPrefix(r.dataset);
  for (const ObjectInfo& o : listed) {
    if (o.key.compare(0, records_prefix.size(), records_prefix) == 0) {
      std::string rest = o.key.substr(records_prefix.size());  // D/R.json
      size_t slash = rest.find('/');
      if (slash != 10 || rest.size() <= 16 || rest.compare(rest.size() - 5, 5, ".json") != 0) {
        continue;
      }
      std::string date = rest.substr(0, 10);
      std::string rid = rest.substr(11, rest.size() - 16);
      if (InRange(r, date) && ValidateDate(date).ok() && ValidateRunId(rid).ok()) {
        (*records)[{date, rid}] = o.key;
      }
      continue;
    }
    auto parts = ParseBronzeKey(o.key);
    if (!parts.ok() || !(parts->dataset == r.dataset) || !InRange(r, parts->ingest_date)) continue;
    BronzeObject b;
    b.ingest_date = parts->ingest_date;
    b.bronze_run_id = parts->bronze_run_id;
    b.key = o.key;
    b.size = o.size;
    (*index)[b.ingest_date][b.bronze_run_id].push_back(std::move(b));
  }
}

// Reads one ingest record into every object of its bronze run (ingest writes one).
void ApplyRecord(const std::string& record_json, const std::string& record_key,
                 std::vector<BronzeObject>& run) {
  nlohmann::json j = nlohmann::json::parse(record_json, nullptr, false);
  bool ok = j.is_object() && j.contains("size") && j["size"].is_number_unsigned() &&
            j.contains("sha256") && j["sha256"].is_string();
  std::string recorded_key = ok ? j.value("key", std::string()) : std::string();
  for (BronzeObject& b : run) {
    if (!ok) {
      b.problem = "ingest record " + record_key + " does not parse";
      continue;
    }
    // The record describes the object ingest wrote; another file in the same bronze run
    // (copied by hand) has no record of its own.
    if (b.exists && !recorded_key.empty() && recorded_key != b.key) continue;
    b.has_record = true;
    b.recorded_size = j["size"].get<uint64_t>();
    b.sha256 = j["sha256"].get<std::string>();
    b.ingested_at = j.value("ingested_at", std::string());
    if (!b.exists) {
      b.key = recorded_key;  // shown, so the operator sees what is missing
      b.problem = "no bronze object, only its ingest record (an interrupted ingest?)";
    } else if (b.size != b.recorded_size) {
      b.problem = "size " + std::to_string(b.size) + " differs from the ingest record's " +
                  std::to_string(b.recorded_size);
    }
  }
}

BronzeDate BuildDate(const std::string& date,
                     std::map<std::string, std::vector<BronzeObject>>& runs) {
  BronzeDate d;
  d.date = date;
  std::vector<std::string> with_objects;
  for (auto& [rid, objs] : runs) {
    if (!objs.empty() && objs.front().exists) with_objects.push_back(rid);
  }
  d.default_run_id = DefaultBronzeRunId(with_objects);
  if (d.default_run_id.empty()) {
    d.problem = "no bronze data";
  } else if (runs[d.default_run_id].size() != 1) {
    d.problem = std::to_string(runs[d.default_run_id].size()) + " objects in bronze run " +
                d.default_run_id + " (a run reads one)";
  } else {
    runs[d.default_run_id].front().is_default = true;
    d.default_key = runs[d.default_run_id].front().key;
  }
  for (auto& [rid, objs] : runs) {
    std::sort(objs.begin(), objs.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    for (auto& b : objs) d.objects.push_back(std::move(b));
  }
  return d;
}

}  // namespace

std::string DefaultBronzeRunId(const std::vector<std::string>& run_ids) {
  return run_ids.empty() ? std::string() : *std::max_element(run_ids.begin(), run_ids.end());
}

Result<std::vector<BronzeDate>> ListBronze(ObjectStore& store, const BronzeListRequest& request) {
  RUNLAKE_RETURN_NOT_OK(CheckRange(request));
  std::vector<std::string> dates;
  if (!request.from.empty()) {
    RUNLAKE_ASSIGN_OR_RAISE(dates, Dates(request.from, request.to));
  }

  Index index;
  std::map<std::pair<std::string, std::string>, std::string> records;
  std::string base = layout::BronzeDatasetPrefix(request.dataset);
  if (!dates.empty() && dates.size() <= kPerDateListMaxDays) {
    for (const std::string& date : dates) {
      RUNLAKE_ASSIGN_OR_RAISE(auto objs,
                              store.List(layout::BronzeDatePrefix(request.dataset, date)));
      RUNLAKE_ASSIGN_OR_RAISE(auto recs, store.List(base + "_ingests/" + date + "/"));
      objs.insert(objs.end(), recs.begin(), recs.end());
      Classify(objs, request, &index, &records);
    }
  } else {
    RUNLAKE_ASSIGN_OR_RAISE(auto all, store.List(base));
    Classify(all, request, &index, &records);
  }

  for (const auto& [date_rid, key] : records) {
    auto& run = index[date_rid.first][date_rid.second];
    if (run.empty()) {  // a record without its object
      BronzeObject b;
      b.exists = false;
      b.ingest_date = date_rid.first;
      b.bronze_run_id = date_rid.second;
      run.push_back(std::move(b));
    }
    auto text = store.Get(key);
    if (!text.ok() && !text.status().IsNotFound()) return text.status();
    if (text.ok()) ApplyRecord(*text, key, run);
  }
  for (auto& [date, runs] : index) {
    for (auto& [rid, objs] : runs) {
      for (auto& b : objs) {
        if (!b.has_record && b.problem.empty()) {
          b.problem = "no ingest record (not landed by runlake ingest): sha256 unknown";
        }
      }
    }
  }

  std::vector<BronzeDate> out;
  if (dates.empty()) {
    for (auto& [date, runs] : index) out.push_back(BuildDate(date, runs));
  } else {
    for (const std::string& date : dates) out.push_back(BuildDate(date, index[date]));
  }
  return out;
}

}  // namespace runlake
