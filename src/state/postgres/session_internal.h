#pragma once
// pg::Session: one PostgreSQL connection shared by the threads of one store object (a
// mutex serializes them), which reconnects and retries when the failure is transient.
//
// Transactional work is a function run between BEGIN and COMMIT; on a transient error
// (connection lost, server restarting, 40001, 40P01, 57P01, ...) the transaction is rolled
// back by the server and the whole function runs again on a fresh connection, after an
// exponential backoff with jitter, until the retry budget is spent. A COMMIT whose reply
// was lost is resolved by asking the server about the transaction id (txid_status), so
// a transaction that did commit is never run twice.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/retry.h"
#include "state/postgres/conn_internal.h"

namespace runlake::pg {

struct RetryPolicy {
  std::chrono::milliseconds first_delay{50};
  std::chrono::milliseconds max_delay{2000};
  // Long enough to ride out a server restart or failover; then the error surfaces.
  std::chrono::milliseconds budget{60000};
};

class Session {
 public:
  // Connects once, without retrying: an unreachable server at start is an IOError naming
  // host:port at once (see Conn::Open).
  static Result<std::unique_ptr<Session>> Open(const std::string& uri, RetryPolicy policy = {});

  // Runs `fn(conn)` in a transaction, retried as described above. `fn` returns Status or
  // Result<T>; its error ends the transaction (rolled back) and is returned unless it was
  // transient. `fn` must have no effects outside the database: it may run several times.
  template <typename F>
  auto InTransaction(F&& fn) -> decltype(fn(std::declval<Conn&>())) {
    return Wrap(/*transaction=*/true, std::forward<F>(fn));
  }
  // The same without BEGIN/COMMIT: for a single statement (autocommit) or reads.
  template <typename F>
  auto Autocommit(F&& fn) -> decltype(fn(std::declval<Conn&>())) {
    return Wrap(/*transaction=*/false, std::forward<F>(fn));
  }

  const Endpoint& endpoint() const { return endpoint_; }
  // How many times a connection was (re)opened after the first: for tests and logs.
  int reconnects() const { return reconnects_; }

 private:
  Session(std::string uri, Endpoint endpoint, std::unique_ptr<Conn> conn, RetryPolicy policy)
      : uri_(std::move(uri)), endpoint_(std::move(endpoint)), conn_(std::move(conn)),
        policy_(policy) {}

  static Status StatusOf(const Status& s) { return s; }
  template <typename T>
  static Status StatusOf(const Result<T>& r) { return r.status(); }

  template <typename F>
  auto Wrap(bool transaction, F&& fn) -> decltype(fn(std::declval<Conn&>())) {
    using R = decltype(fn(std::declval<Conn&>()));
    std::optional<R> out;
    Status st = Run(transaction, [&](Conn& conn) {
      out.emplace(fn(conn));
      return StatusOf(*out);
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }

  Status Run(bool transaction, const std::function<Status(Conn&)>& body);
  // One attempt; *transient says whether a failure may be retried.
  Status RunOnce(bool transaction, const std::function<Status(Conn&)>& body, bool* transient);
  Status EnsureConnected();
  // After a COMMIT whose reply was lost: OK if transaction `xid` committed; a transient
  // error if it aborted (run it again); waits while it is still in progress.
  Status ResolveInDoubt(int64_t xid, bool* transient);
  bool SleepBeforeRetry();  // false when the budget is spent

  std::mutex mu_;
  std::string uri_;
  Endpoint endpoint_;
  std::unique_ptr<Conn> conn_;  // null after a failed reconnect
  RetryPolicy policy_;
  // The current call's waits (under mu_).
  std::optional<runlake::Backoff> backoff_;
  int reconnects_ = 0;
};

}  // namespace runlake::pg
