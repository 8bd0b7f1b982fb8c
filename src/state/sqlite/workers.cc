// Registered workers in the SQLite state store: the `workers` table (schema migration 4).
// Heartbeats and liveness use SQLite's clock, like leases.

#include "state/sqlite/queue_internal.h"

namespace runlake::sqlite {
namespace {

constexpr char kNowSql[] = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

Result<WorkerRecord> ReadWorker(const Stmt& s) {
  WorkerRecord w;
  w.id = s.Text(0);
  w.host = s.Text(1);
  w.pid = s.Int(2);
  w.concurrency = static_cast<int>(s.Int(3));
  RUNLAKE_ASSIGN_OR_RAISE(w.kinds, ParseTaskKinds(s.Text(4)));
  w.status = s.Text(5);
  w.started_at = s.Text(6);
  w.heartbeat_at = s.Text(7);
  w.stopped_at = s.Text(8);
  w.seconds_since_heartbeat = static_cast<double>(s.Int(9)) / 1000.0;
  return w;
}

}  // namespace

Status TaskTables::RegisterWorker(const WorkerRecord& w) {
  if (w.id.empty()) return Status::InvalidArgument("worker id is empty");
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare(std::string("INSERT INTO workers (id, host, pid, concurrency, kinds, "
                                       "status, started_at, heartbeat_at) VALUES "
                                       "(?1, ?2, ?3, ?4, ?5, 'ACTIVE', ") +
                           kNowSql + ", " + kNowSql + ") ON CONFLICT (id) DO NOTHING"));
  s.Bind(1, w.id).Bind(2, w.host).Bind(3, w.pid).Bind(4, int64_t{w.concurrency});
  s.Bind(5, TaskKindsText(w.kinds));
  RUNLAKE_RETURN_NOT_OK(s.Run());
  if (db_->Changes() == 0) return Status::AlreadyExists("worker id '" + w.id + "' is taken");
  return txn->Commit();
}

Status TaskTables::HeartbeatWorker(const std::string& worker_id, const std::string& status) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare(std::string("UPDATE workers SET heartbeat_at = ") + kNowSql +
                           ", status = CASE WHEN ?1 = '' THEN status ELSE ?1 END WHERE id = ?2"));
  s.Bind(1, status).Bind(2, worker_id);
  RUNLAKE_RETURN_NOT_OK(s.Run());
  if (db_->Changes() == 0) return Status::NotFound("worker '" + worker_id + "' is not registered");
  return txn->Commit();
}

Status TaskTables::DeregisterWorker(const std::string& worker_id) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare(std::string("UPDATE workers SET status = 'STOPPED', stopped_at = ") +
                           kNowSql + ", heartbeat_at = " + kNowSql + " WHERE id = ?"));
  s.Bind(1, worker_id);
  RUNLAKE_RETURN_NOT_OK(s.Run());
  if (db_->Changes() == 0) return Status::NotFound("worker '" + worker_id + "' is not registered");
  return txn->Commit();
}

Result<std::vector<WorkerRecord>> TaskTables::ListWorkers(int live_within_seconds) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare("SELECT id, host, pid, concurrency, kinds, status, started_at, "
                           "heartbeat_at, stopped_at, "
                           "CAST(round((julianday('now') - julianday(heartbeat_at)) * 86400000) "
                           "AS INTEGER) FROM workers WHERE ?1 <= 0 OR (status != 'STOPPED' AND "
                           "heartbeat_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2)) "
                           "ORDER BY started_at DESC, id DESC"));
  s.Bind(1, int64_t{live_within_seconds})
      .Bind(2, "-" + std::to_string(live_within_seconds) + " seconds");
  std::vector<WorkerRecord> out;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
    if (!row) break;
    RUNLAKE_ASSIGN_OR_RAISE(WorkerRecord w, ReadWorker(s));
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace runlake::sqlite
