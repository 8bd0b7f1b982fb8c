// Backfills in the PostgreSQL state store: the `backfills` and `backfill_dates` tables.

#include <unistd.h>

#include "state/postgres/backfills_internal.h"
#include "state/process_liveness.h"
#include "state/state_store_json_internal.h"

namespace runlake::pg {
namespace {

using state_internal::DumpJson;

constexpr char kColumns[] =
    "id, stamp, dataset, from_date, to_date, status, options, result, created_at, updated_at, "
    "controller_pid, controller_host, controller_heartbeat_at";

Result<BackfillRecord> ReadRow(const Rows& rows, int i) {
  BackfillRecord r;
  r.id = rows.Text(i, 0);
  r.stamp = rows.Text(i, 1);
  std::string dataset = rows.Text(i, 2);
  size_t slash = dataset.find('/');
  if (slash == std::string::npos) return Status::Corruption("backfill '" + r.id + "': bad dataset");
  r.dataset = DatasetId{dataset.substr(0, slash), dataset.substr(slash + 1)};
  r.from_date = rows.Text(i, 3);
  r.to_date = rows.Text(i, 4);
  auto status = ParseBackfillStatus(rows.Text(i, 5));
  if (!status.ok()) return Status::Corruption("backfill '" + r.id + "': " + status.status().message());
  r.status = *status;
  nlohmann::json options = nlohmann::json::parse(rows.Text(i, 6), nullptr, false);
  r.result = nlohmann::json::parse(rows.Text(i, 7), nullptr, false);
  if (options.is_discarded() || r.result.is_discarded()) {
    return Status::Corruption("backfill '" + r.id + "': options or result is not valid JSON");
  }
  RUNLAKE_ASSIGN_OR_RAISE(r.options, BackfillOptionsFromJson(options, "backfill '" + r.id + "'"));
  r.created_at = rows.Text(i, 8);
  r.updated_at = rows.Text(i, 9);
  r.controller_pid = rows.Int(i, 10);
  r.controller_host = rows.Text(i, 11);
  r.controller_heartbeat_at = rows.Text(i, 12);
  return r;
}

Status LoadDates(Conn& c, BackfillRecord* record) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Rows rows, c.Exec("SELECT date, source_key, attempts, run_id, execution FROM backfill_dates "
                        "WHERE backfill_id = $1 ORDER BY date",
                        {record->id}));
  record->dates.clear();
  for (int i = 0; i < rows.size(); ++i) {
    record->dates.push_back(BackfillDate{rows.Text(i, 0), rows.Text(i, 1),
                                         static_cast<int>(rows.Int(i, 2)), rows.Text(i, 3),
                                         rows.Text(i, 4)});
  }
  return Status::OK();
}

// `lock`: FOR UPDATE, for a read-then-write in the caller's transaction.
Result<std::optional<BackfillRecord>> Lookup(Conn& c, const std::string& id, bool lock) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Rows rows, c.Exec(std::string("SELECT ") + kColumns + " FROM backfills WHERE id = $1" +
                            (lock ? " FOR UPDATE" : ""),
                        {id}));
  if (rows.size() == 0) return std::optional<BackfillRecord>();
  RUNLAKE_ASSIGN_OR_RAISE(BackfillRecord r, ReadRow(rows, 0));
  RUNLAKE_RETURN_NOT_OK(LoadDates(c, &r));
  return std::optional<BackfillRecord>(std::move(r));
}

}  // namespace

Status BackfillTables::Create(const BackfillRecord& record) {
  bool given = !record.controller_host.empty();
  int64_t pid = given ? record.controller_pid : getpid();
  std::string ticks = std::to_string(given ? 0 : ProcessStartTicks(pid));
  const std::string& host = given ? record.controller_host : host_;
  return session_->InTransaction([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows taken, c.Exec("SELECT id FROM backfills WHERE id = $1 OR stamp = $2",
                           {record.id, record.stamp}));
    if (taken.size() > 0) {
      return Status::AlreadyExists("backfill id '" + record.id + "' or stamp '" + record.stamp +
                                   "' is taken (by '" + taken.Text(0, 0) + "')");
    }
    // A concurrent creator of the same id or stamp makes this INSERT a unique violation,
    // which Conn reports as AlreadyExists too.
    RUNLAKE_RETURN_NOT_OK(
        c.Exec(std::string("INSERT INTO backfills (id, stamp, dataset, from_date, to_date, "
                           "status, options, result, created_at, updated_at, controller_pid, "
                           "controller_start_ticks, controller_host, controller_heartbeat_at) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $7, 'null', ") +
                   kNowSql + ", " + kNowSql + ", $8, $9, $10, " + kNowSql + ")",
               {record.id, record.stamp, record.dataset.path(), record.from_date,
                record.to_date, ToString(record.status), DumpJson(BackfillOptionsToJson(record.options)),
                std::to_string(pid), ticks, host})
            .status());
    if (record.dates.empty()) return Status::OK();
    // All dates in one statement: one round trip however long the range.
    std::string sql = "INSERT INTO backfill_dates (backfill_id, date, source_key, attempts, "
                      "run_id, execution) VALUES ";
    std::vector<std::string> params = {record.id};
    for (const BackfillDate& d : record.dates) {
      size_t n = params.size();
      if (n > 1) sql += ", ";
      sql += "($1, $" + std::to_string(n + 1) + ", $" + std::to_string(n + 2) + ", $" +
             std::to_string(n + 3) + "::integer, $" + std::to_string(n + 4) + ", $" +
             std::to_string(n + 5) + ")";
      params.insert(params.end(),
                    {d.date, d.source_key, std::to_string(d.attempts), d.run_id, d.execution});
    }
    return c.Exec(sql, params).status();
  });
}

Result<std::optional<BackfillRecord>> BackfillTables::Get(const std::string& id) {
  // One transaction: the dates belong to the same snapshot as the record.
  return session_->InTransaction([&](Conn& c) { return Lookup(c, id, /*lock=*/false); });
}

Result<std::vector<BackfillRecord>> BackfillTables::List(const BackfillFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM backfills WHERE ($1 = '0' OR status IN "
                    "('RUNNING', 'PAUSED', 'ABORTING', 'INTERRUPTED')) "
                    "ORDER BY created_at DESC, id DESC";
  if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
  return session_->InTransaction([&](Conn& c) -> Result<std::vector<BackfillRecord>> {
    RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec(sql, {filter.active_only ? "1" : "0"}));
    std::vector<BackfillRecord> out;
    for (int i = 0; i < rows.size(); ++i) {
      RUNLAKE_ASSIGN_OR_RAISE(BackfillRecord r, ReadRow(rows, i));
      RUNLAKE_RETURN_NOT_OK(LoadDates(c, &r));
      out.push_back(std::move(r));
    }
    return out;
  });
}

Result<BackfillRecord> BackfillTables::Claim(const std::string& id) {
  RUNLAKE_RETURN_NOT_OK(Reap(&id));
  int64_t pid = getpid();
  std::string ticks = std::to_string(ProcessStartTicks(pid));
  return session_->InTransaction([&](Conn& c) -> Result<BackfillRecord> {
    RUNLAKE_ASSIGN_OR_RAISE(auto current, Lookup(c, id, /*lock=*/true));
    if (!current) return Status::NotFound("no backfill '" + id + "'");
    if (current->status == BackfillStatus::kRunning ||
        current->status == BackfillStatus::kAborting) {
      return Status::FailedPrecondition(
          "backfill '" + id + "' is " + ToString(current->status) + " under controller pid " +
          std::to_string(current->controller_pid) + " on host " + current->controller_host +
          " (wait for it, or `runlake backfill stop " + id + "`)");
    }
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows updated,
        c.Exec(std::string("UPDATE backfills SET status = 'RUNNING', controller_pid = $1, "
                           "controller_start_ticks = $2, controller_host = $3, updated_at = ") +
                   kNowSql + ", controller_heartbeat_at = " + kNowSql +
                   " WHERE id = $4 RETURNING updated_at, controller_heartbeat_at",
               {std::to_string(pid), ticks, host_, id}));
    current->status = BackfillStatus::kRunning;
    current->controller_pid = pid;
    current->controller_host = host_;
    current->updated_at = updated.Text(0, 0);
    current->controller_heartbeat_at = updated.Text(0, 1);
    return *current;
  });
}

Result<bool> BackfillTables::Heartbeat(const std::string& id) {
  std::string pid = std::to_string(getpid());
  return session_->Autocommit([&](Conn& c) -> Result<bool> {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows beat,
        c.Exec(std::string("UPDATE backfills SET controller_heartbeat_at = ") + kNowSql +
                   " WHERE id = $1 AND controller_pid = $2::bigint AND controller_host = $3 "
                   "AND status IN ('RUNNING', 'ABORTING')",
               {id, pid, host_}));
    if (beat.Affected() > 0) return true;
    RUNLAKE_ASSIGN_OR_RAISE(Rows exists, c.Exec("SELECT 1 FROM backfills WHERE id = $1", {id}));
    if (exists.size() == 0) return Status::NotFound("no backfill '" + id + "'");
    return false;
  });
}

Result<bool> BackfillTables::Transition(const std::string& id,
                                        const std::vector<BackfillStatus>& from,
                                        BackfillStatus to, const nlohmann::json& result) {
  std::string from_list;
  for (auto s : from) from_list += std::string(from_list.empty() ? "" : ",") + ToString(s);
  return session_->InTransaction([&](Conn& c) -> Result<bool> {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows moved,
        c.Exec(std::string("UPDATE backfills SET status = $1, updated_at = ") + kNowSql +
                   ", result = CASE WHEN $2 = 'null' THEN result ELSE $2 END "
                   "WHERE id = $3 AND status = ANY(string_to_array($4, ','))",
               {ToString(to), DumpJson(result), id, from_list}));
    if (moved.Affected() > 0) return true;
    RUNLAKE_ASSIGN_OR_RAISE(Rows exists, c.Exec("SELECT 1 FROM backfills WHERE id = $1", {id}));
    if (exists.size() == 0) return Status::NotFound("no backfill '" + id + "'");
    return false;
  });
}

Status BackfillTables::RecordAttempt(const std::string& id, const BackfillDate& date) {
  return session_->Autocommit([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows updated, c.Exec("UPDATE backfill_dates SET attempts = $1::integer, run_id = $2, "
                             "execution = $3 WHERE backfill_id = $4 AND date = $5",
                             {std::to_string(date.attempts), date.run_id, date.execution, id,
                              date.date}));
    if (updated.Affected() == 0) {
      return Status::NotFound("backfill '" + id + "' has no date " + date.date);
    }
    return Status::OK();
  });
}

Status BackfillTables::Reap(const std::string* only_id) {
  std::string stale_ms = std::to_string(ControllerStaleMillis());
  RUNLAKE_ASSIGN_OR_RAISE(Rows rows, session_->Autocommit([&](Conn& c) {
    return c.Exec("SELECT id, status, controller_pid, controller_start_ticks, controller_host, "
                  "controller_heartbeat_at, controller_heartbeat_at < to_char((clock_timestamp() "
                  "AT TIME ZONE 'UTC') - $3::bigint * interval '1 millisecond', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM backfills "
                  "WHERE status IN ('RUNNING', 'ABORTING') "
                  "AND ($1 = '0' OR id = $2) ORDER BY id",
                  {only_id ? "1" : "0", only_id ? *only_id : "", stale_ms});
  }));
  struct Dead {
    std::string id, status, heartbeat;
  };
  std::vector<Dead> dead;
  for (int i = 0; i < rows.size(); ++i) {
    bool gone = rows.Text(i, 6) == "t" ||
                (rows.Text(i, 4) == host_ && ProcessIsGone(rows.Int(i, 2), rows.Int(i, 3)));
    if (gone) dead.push_back(Dead{rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 5)});
  }
  if (dead.empty()) return Status::OK();
  return session_->InTransaction([&](Conn& c) -> Status {
    for (const auto& d : dead) {
      // A controller that died while stopping has stopped: nothing of it runs any more.
      std::string next = d.status == "ABORTING" ? "ABORTED" : "INTERRUPTED";
      // Unchanged heartbeat too: a controller that claimed it since the read is not reaped.
      RUNLAKE_RETURN_NOT_OK(c.Exec(std::string("UPDATE backfills SET status = $1, updated_at = ") +
                                       kNowSql + " WHERE id = $2 AND status = $3 "
                                       "AND controller_heartbeat_at = $4",
                                   {next, d.id, d.status, d.heartbeat})
                                .status());
    }
    return Status::OK();
  });
}

}  // namespace runlake::pg
