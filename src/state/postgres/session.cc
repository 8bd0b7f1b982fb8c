#include "state/postgres/session_internal.h"

#include <limits>

namespace runlake::pg {

Result<std::unique_ptr<Session>> Session::Open(const std::string& uri, RetryPolicy policy) {
  RUNLAKE_ASSIGN_OR_RAISE(std::unique_ptr<Conn> conn, Conn::Open(uri));
  Endpoint endpoint = conn->endpoint();
  return std::unique_ptr<Session>(new Session(uri, std::move(endpoint), std::move(conn), policy));
}

Status Session::Run(bool transaction, const std::function<Status(Conn&)>& body) {
  std::lock_guard lock(mu_);
  // Tries are bounded by the budget alone: a restart or failover takes what it takes.
  backoff_.emplace(runlake::RetryPolicy{std::numeric_limits<int>::max(), policy_.first_delay,
                                        policy_.max_delay, policy_.budget});
  int tries = 0;
  while (true) {
    ++tries;
    bool transient = true;  // a failed reconnect is worth another try
    Status st = EnsureConnected();
    if (st.ok()) st = RunOnce(transaction, body, &transient);
    if (st.ok() || !transient) return st;
    if (!SleepBeforeRetry()) {
      return Status::Unavailable(st.message() + " (still failing after " + std::to_string(tries) +
                                 " tries in " + std::to_string(policy_.budget.count() / 1000) + " s)");
    }
  }
}

Status Session::RunOnce(bool transaction, const std::function<Status(Conn&)>& body,
                        bool* transient) {
  Conn& conn = *conn_;
  if (!transaction) {
    Status st = body(conn);
    *transient = !st.ok() && conn.last_error_transient();
    return st;
  }
  // txid_current() gives the transaction an id now, so a lost COMMIT reply can be resolved.
  auto begun = conn.ExecScript("BEGIN; SELECT txid_current()");
  if (!begun.ok()) {
    *transient = conn.last_error_transient();
    return begun.status();
  }
  int64_t xid = begun->Int(0, 0);
  Status st = body(conn);
  if (!st.ok()) {
    *transient = conn.last_error_transient();
    // The body's error is what is returned; a ROLLBACK that fails leaves a broken
    // connection, which the next try replaces.
    if (!conn.Broken()) (void)conn.ExecScript("ROLLBACK");
    return st;
  }
  auto committed = conn.ExecScript("COMMIT");
  if (committed.ok()) return Status::OK();
  *transient = conn.last_error_transient();
  if (!conn.Broken()) {
    // The server said no (e.g. 40001). A failed COMMIT ends the block on a real server;
    // make sure of it anyway: a block left open fails every later statement "current
    // transaction is aborted" (25P02, not transient) for ever, as the first version of
    // the state sweep's injected full disk at a COMMIT showed (a worker stuck so, and its
    // backfill waiting on it).
    (void)conn.ExecScript("ROLLBACK");
    return committed.status();
  }
  return ResolveInDoubt(xid, transient);
}

Status Session::EnsureConnected() {
  if (conn_ && !conn_->Broken()) return Status::OK();
  conn_.reset();
  RUNLAKE_ASSIGN_OR_RAISE(conn_, Conn::Open(uri_));
  ++reconnects_;
  return Status::OK();
}

Status Session::ResolveInDoubt(int64_t xid, bool* transient) {
  while (true) {
    Status st = EnsureConnected();
    if (st.ok()) {
      auto rows = conn_->Exec("SELECT txid_status($1)", {std::to_string(xid)});
      if (rows.ok()) {
        std::string state = rows->IsNull(0, 0) ? "" : rows->Text(0, 0);
        if (state == "committed") return Status::OK();
        if (state == "aborted" || state.empty()) {  // empty: too old to know, never ours
          *transient = true;
          return Status::Unavailable("PostgreSQL at " + endpoint_.host + ":" + endpoint_.port +
                                     ": connection lost during COMMIT; the transaction aborted");
        }
        st = Status::IOError("transaction " + std::to_string(xid) + " still in progress");
      } else {
        st = rows.status();
      }
    }
    if (!SleepBeforeRetry()) {
      *transient = false;
      return Status::IOError("PostgreSQL at " + endpoint_.host + ":" + endpoint_.port +
                             ": connection lost during COMMIT and the outcome is unknown: " +
                             st.message());
    }
  }
}

bool Session::SleepBeforeRetry() { return backoff_->Next(); }

}  // namespace runlake::pg
