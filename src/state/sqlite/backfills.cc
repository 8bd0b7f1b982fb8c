// Backfills in the SQLite state store: the `backfills` and `backfill_dates` tables.

#include <unistd.h>

#include <cstdio>

#include "state/sqlite/backfills_internal.h"
#include "runlake/clock.h"
#include "state/process_liveness.h"

namespace runlake::sqlite {
namespace {

constexpr char kColumns[] =
    "id, stamp, dataset, from_date, to_date, status, options, result, created_at, updated_at, "
    "controller_pid, controller_host, controller_heartbeat_at";
// The controller heartbeat is the store's clock, like the task queue's leases: the clocks
// of the machines sharing the store may disagree.
constexpr char kNowSql[] = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<BackfillRecord> ReadRow(const Stmt& stmt) {
  BackfillRecord r;
  r.id = stmt.Text(0);
  r.stamp = stmt.Text(1);
  std::string dataset = stmt.Text(2);
  size_t slash = dataset.find('/');
  if (slash == std::string::npos) return Status::Corruption("backfill '" + r.id + "': bad dataset");
  r.dataset = DatasetId{dataset.substr(0, slash), dataset.substr(slash + 1)};
  r.from_date = stmt.Text(3);
  r.to_date = stmt.Text(4);
  auto status = ParseBackfillStatus(stmt.Text(5));
  if (!status.ok()) return Status::Corruption("backfill '" + r.id + "': " + status.status().message());
  r.status = *status;
  nlohmann::json options = nlohmann::json::parse(stmt.Text(6), nullptr, false);
  r.result = nlohmann::json::parse(stmt.Text(7), nullptr, false);
  if (options.is_discarded() || r.result.is_discarded()) {
    return Status::Corruption("backfill '" + r.id + "': options or result is not valid JSON");
  }
  RUNLAKE_ASSIGN_OR_RAISE(r.options, BackfillOptionsFromJson(options, "backfill '" + r.id + "'"));
  r.created_at = stmt.Text(8);
  r.updated_at = stmt.Text(9);
  r.controller_pid = stmt.Int(10);
  r.controller_host = stmt.Text(11);
  r.controller_heartbeat_at = stmt.Text(12);
  return r;
}

}  // namespace

Status BackfillTables::Create(const BackfillRecord& record) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(Stmt taken,
                          db_->Prepare("SELECT id FROM backfills WHERE id = ? OR stamp = ?"));
  taken.Bind(1, record.id).Bind(2, record.stamp);
  RUNLAKE_ASSIGN_OR_RAISE(bool exists, taken.Step());
  if (exists) {
    return Status::AlreadyExists("backfill id '" + record.id + "' or stamp '" + record.stamp +
                                 "' is taken (by '" + taken.Text(0) + "')");
  }
  std::string now = NowIso8601Utc();
  bool given = !record.controller_host.empty();
  int64_t pid = given ? record.controller_pid : getpid();
  int64_t ticks = given ? 0 : ProcessStartTicks(pid);
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt insert,
      db_->Prepare(std::string("INSERT INTO backfills (id, stamp, dataset, from_date, to_date, "
                               "status, options, result, created_at, updated_at, "
                               "controller_pid, controller_start_ticks, controller_host, "
                               "controller_heartbeat_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, 'null', ?, ?, ?, ?, ?, ") +
                   kNowSql + ")"));
  insert.Bind(1, record.id).Bind(2, record.stamp).Bind(3, record.dataset.path());
  insert.Bind(4, record.from_date).Bind(5, record.to_date);
  insert.Bind(6, std::string(ToString(record.status))).Bind(7, Dump(BackfillOptionsToJson(record.options)));
  insert.Bind(8, now).Bind(9, now).Bind(10, pid).Bind(11, ticks);
  insert.Bind(12, given ? record.controller_host : host_);
  RUNLAKE_RETURN_NOT_OK(insert.Run());
  for (const BackfillDate& d : record.dates) {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt date, db_->Prepare("INSERT INTO backfill_dates (backfill_id, date, source_key, "
                                "attempts, run_id, execution) VALUES (?, ?, ?, ?, ?, ?)"));
    date.Bind(1, record.id).Bind(2, d.date).Bind(3, d.source_key);
    date.Bind(4, static_cast<int64_t>(d.attempts)).Bind(5, d.run_id).Bind(6, d.execution);
    RUNLAKE_RETURN_NOT_OK(date.Run());
  }
  return txn->Commit();
}

Result<std::optional<BackfillRecord>> BackfillTables::Get(const std::string& id) {
  return Lookup(id);
}

Result<std::vector<BackfillRecord>> BackfillTables::List(const BackfillFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM backfills WHERE (?1 = 0 OR status IN "
                    "('RUNNING', 'PAUSED', 'ABORTING', 'INTERRUPTED')) "
                    "ORDER BY created_at DESC, id DESC LIMIT ?2";
  RUNLAKE_ASSIGN_OR_RAISE(Stmt stmt, db_->Prepare(sql));
  stmt.Bind(1, int64_t{filter.active_only});
  stmt.Bind(2, static_cast<int64_t>(filter.limit > 0 ? filter.limit : -1));
  std::vector<BackfillRecord> out;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
    if (!row) break;
    RUNLAKE_ASSIGN_OR_RAISE(BackfillRecord r, ReadRow(stmt));
    out.push_back(std::move(r));
  }
  for (auto& r : out) RUNLAKE_RETURN_NOT_OK(LoadDates(&r));
  return out;
}

Result<BackfillRecord> BackfillTables::Claim(const std::string& id) {
  RUNLAKE_RETURN_NOT_OK(Reap(&id));
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(auto current, Lookup(id));
  if (!current) return Status::NotFound("no backfill '" + id + "'");
  if (current->status == BackfillStatus::kRunning || current->status == BackfillStatus::kAborting) {
    return Status::FailedPrecondition(
        "backfill '" + id + "' is " + ToString(current->status) + " under controller pid " +
        std::to_string(current->controller_pid) + " on host " + current->controller_host +
        " (wait for it, or `runlake backfill stop " + id + "`)");
  }
  int64_t pid = getpid();
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt update,
      db_->Prepare(std::string("UPDATE backfills SET status = 'RUNNING', controller_pid = ?, "
                               "controller_start_ticks = ?, controller_host = ?, updated_at = ?, "
                               "controller_heartbeat_at = ") +
                   kNowSql + " WHERE id = ?"));
  update.Bind(1, pid).Bind(2, ProcessStartTicks(pid)).Bind(3, host_).Bind(4, NowIso8601Utc());
  update.Bind(5, id);
  RUNLAKE_RETURN_NOT_OK(update.Run());
  {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt beat, db_->Prepare("SELECT controller_heartbeat_at FROM backfills WHERE id = ?"));
    beat.Bind(1, id);
    RUNLAKE_ASSIGN_OR_RAISE(bool row, beat.Step());
    if (row) current->controller_heartbeat_at = beat.Text(0);
  }
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  current->status = BackfillStatus::kRunning;
  current->controller_pid = pid;
  current->controller_host = host_;
  return *current;
}

Result<bool> BackfillTables::Heartbeat(const std::string& id) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt update,
      db_->Prepare(std::string("UPDATE backfills SET controller_heartbeat_at = ") + kNowSql +
                   " WHERE id = ? AND controller_pid = ? AND controller_host = ? "
                   "AND status IN ('RUNNING', 'ABORTING')"));
  update.Bind(1, id).Bind(2, static_cast<int64_t>(getpid())).Bind(3, host_);
  RUNLAKE_RETURN_NOT_OK(update.Run());
  if (db_->Changes() > 0) return true;
  RUNLAKE_ASSIGN_OR_RAISE(Stmt find, db_->Prepare("SELECT 1 FROM backfills WHERE id = ?"));
  find.Bind(1, id);
  RUNLAKE_ASSIGN_OR_RAISE(bool exists, find.Step());
  if (!exists) return Status::NotFound("no backfill '" + id + "'");
  return false;
}

Result<bool> BackfillTables::Transition(const std::string& id,
                                        const std::vector<BackfillStatus>& from,
                                        BackfillStatus to, const nlohmann::json& result) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(Stmt find, db_->Prepare("SELECT status FROM backfills WHERE id = ?"));
  find.Bind(1, id);
  RUNLAKE_ASSIGN_OR_RAISE(bool found, find.Step());
  if (!found) return Status::NotFound("no backfill '" + id + "'");
  std::string current = find.Text(0);
  bool allowed = false;
  for (auto s : from) allowed = allowed || current == ToString(s);
  if (!allowed) return false;
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt update,
      db_->Prepare("UPDATE backfills SET status = ?1, updated_at = ?2, "
                   "result = CASE WHEN ?3 = 'null' THEN result ELSE ?3 END WHERE id = ?4"));
  update.Bind(1, std::string(ToString(to))).Bind(2, NowIso8601Utc()).Bind(3, Dump(result));
  update.Bind(4, id);
  RUNLAKE_RETURN_NOT_OK(update.Run());
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  return true;
}

Status BackfillTables::RecordAttempt(const std::string& id, const BackfillDate& date) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt update, db_->Prepare("UPDATE backfill_dates SET attempts = ?, run_id = ?, "
                                "execution = ? WHERE backfill_id = ? AND date = ?"));
  update.Bind(1, static_cast<int64_t>(date.attempts)).Bind(2, date.run_id);
  update.Bind(3, date.execution).Bind(4, id).Bind(5, date.date);
  RUNLAKE_RETURN_NOT_OK(update.Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("backfill '" + id + "' has no date " + date.date);
  }
  return txn->Commit();
}

Status BackfillTables::Reap(const std::string* only_id) {
  struct Dead {
    std::string id, status, heartbeat;
  };
  std::vector<Dead> dead;
  {
    char stale[64];
    std::snprintf(stale, sizeof stale, "-%.3f seconds", ControllerStaleMillis() / 1000.0);
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt stmt,
        db_->Prepare(std::string("SELECT id, status, controller_pid, controller_start_ticks, "
                                 "controller_host, controller_heartbeat_at, "
                                 "controller_heartbeat_at < strftime('%Y-%m-%dT%H:%M:%fZ', "
                                 "'now', ?1) FROM backfills "
                                 "WHERE status IN ('RUNNING', 'ABORTING') "
                                 "AND (?2 = 0 OR id = ?3)")));
    stmt.Bind(1, std::string(stale)).Bind(2, int64_t{only_id != nullptr});
    stmt.Bind(3, only_id ? *only_id : std::string());
    while (true) {
      RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
      if (!row) break;
      bool gone = stmt.Int(6) != 0 ||
                  (stmt.Text(4) == host_ && ProcessIsGone(stmt.Int(2), stmt.Int(3)));
      if (gone) dead.push_back(Dead{stmt.Text(0), stmt.Text(1), stmt.Text(5)});
    }
  }
  if (dead.empty()) return Status::OK();
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  for (const auto& d : dead) {
    // A controller that died while stopping has stopped: nothing of it runs any more.
    std::string next = d.status == "ABORTING" ? "ABORTED" : "INTERRUPTED";
    // Unchanged heartbeat too: a controller that claimed it since the read is not reaped.
    RUNLAKE_ASSIGN_OR_RAISE(Stmt update,
                            db_->Prepare("UPDATE backfills SET status = ?, updated_at = ? "
                                         "WHERE id = ? AND status = ? "
                                         "AND controller_heartbeat_at = ?"));
    update.Bind(1, next).Bind(2, NowIso8601Utc()).Bind(3, d.id).Bind(4, d.status);
    update.Bind(5, d.heartbeat);
    RUNLAKE_RETURN_NOT_OK(update.Run());
  }
  return txn->Commit();
}

Result<std::optional<BackfillRecord>> BackfillTables::Lookup(const std::string& id) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt stmt, db_->Prepare(std::string("SELECT ") + kColumns + " FROM backfills WHERE id = ?"));
  stmt.Bind(1, id);
  RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
  if (!row) return std::optional<BackfillRecord>();
  RUNLAKE_ASSIGN_OR_RAISE(BackfillRecord r, ReadRow(stmt));
  RUNLAKE_RETURN_NOT_OK(LoadDates(&r));
  return std::optional<BackfillRecord>(std::move(r));
}

Status BackfillTables::LoadDates(BackfillRecord* record) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt stmt, db_->Prepare("SELECT date, source_key, attempts, run_id, execution "
                              "FROM backfill_dates WHERE backfill_id = ? ORDER BY date"));
  stmt.Bind(1, record->id);
  record->dates.clear();
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
    if (!row) break;
    record->dates.push_back(BackfillDate{stmt.Text(0), stmt.Text(1),
                                         static_cast<int>(stmt.Int(2)), stmt.Text(3),
                                         stmt.Text(4)});
  }
  return Status::OK();
}

}  // namespace runlake::sqlite
