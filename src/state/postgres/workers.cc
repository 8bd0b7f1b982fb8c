// Registered workers in the PostgreSQL state store (the `workers` table); heartbeats and
// liveness by the server's clock.

#include "state/postgres/queue_internal.h"

namespace runlake::pg {
namespace {

Result<WorkerRecord> ReadWorker(const Rows& r, int i) {
  WorkerRecord w;
  w.id = r.Text(i, 0);
  w.host = r.Text(i, 1);
  w.pid = r.Int(i, 2);
  w.concurrency = static_cast<int>(r.Int(i, 3));
  RUNLAKE_ASSIGN_OR_RAISE(w.kinds, ParseTaskKinds(r.Text(i, 4)));
  w.status = r.Text(i, 5);
  w.started_at = r.Text(i, 6);
  w.heartbeat_at = r.Text(i, 7);
  w.stopped_at = r.Text(i, 8);
  w.seconds_since_heartbeat = static_cast<double>(r.Int(i, 9)) / 1000.0;
  return w;
}

}  // namespace

Status TaskTables::RegisterWorker(const WorkerRecord& w) {
  if (w.id.empty()) return Status::InvalidArgument("worker id is empty");
  return session_->Autocommit([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows inserted,
        c.Exec(std::string("INSERT INTO workers (id, host, pid, concurrency, kinds, status, "
                           "started_at, heartbeat_at) VALUES ($1, $2, $3::bigint, $4::integer, "
                           "$5, 'ACTIVE', ") +
                   kNowSql + ", " + kNowSql + ") ON CONFLICT (id) DO NOTHING",
               {w.id, w.host, std::to_string(w.pid), std::to_string(w.concurrency),
                TaskKindsText(w.kinds)}));
    if (inserted.Affected() == 0) return Status::AlreadyExists("worker id '" + w.id + "' is taken");
    return Status::OK();
  });
}

Status TaskTables::HeartbeatWorker(const std::string& worker_id, const std::string& status) {
  return session_->Autocommit([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows updated, c.Exec(std::string("UPDATE workers SET heartbeat_at = ") + kNowSql +
                                 ", status = CASE WHEN $1 = '' THEN status ELSE $1 END "
                                 "WHERE id = $2",
                             {status, worker_id}));
    if (updated.Affected() == 0) return Status::NotFound("worker '" + worker_id + "' is not registered");
    return Status::OK();
  });
}

Status TaskTables::DeregisterWorker(const std::string& worker_id) {
  return session_->Autocommit([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows updated,
        c.Exec(std::string("UPDATE workers SET status = 'STOPPED', stopped_at = ") + kNowSql +
                   ", heartbeat_at = " + kNowSql + " WHERE id = $1",
               {worker_id}));
    if (updated.Affected() == 0) return Status::NotFound("worker '" + worker_id + "' is not registered");
    return Status::OK();
  });
}

Result<std::vector<WorkerRecord>> TaskTables::ListWorkers(int live_within_seconds) {
  return session_->Autocommit([&](Conn& c) -> Result<std::vector<WorkerRecord>> {
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows rows,
        c.Exec("SELECT id, host, pid, concurrency, kinds, status, started_at, heartbeat_at, "
               "stopped_at, round(extract(epoch FROM (clock_timestamp() AT TIME ZONE 'UTC') - "
               "heartbeat_at::timestamp) * 1000)::bigint FROM workers WHERE $1::integer <= 0 OR "
               "(status <> 'STOPPED' AND heartbeat_at >= to_char((clock_timestamp() AT TIME ZONE "
               "'UTC') - $1::integer * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')) "
               "ORDER BY started_at DESC, id DESC",
               {std::to_string(live_within_seconds)}));
    std::vector<WorkerRecord> out;
    for (int i = 0; i < rows.size(); ++i) {
      RUNLAKE_ASSIGN_OR_RAISE(WorkerRecord w, ReadWorker(rows, i));
      out.push_back(std::move(w));
    }
    return out;
  });
}

}  // namespace runlake::pg
