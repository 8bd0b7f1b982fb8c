#pragma once
// A faulting HTTP proxy for the S3 tests: it listens on 127.0.0.1 (a free port) and
// forwards each request to the test RGW, unless told to answer some of them itself with
// a failure a real S3 gives (503 SlowDown, 500 InternalError), to reset the connection, or
// to stall before forwarding. `runlake` is pointed at it with AWS_ENDPOINT_URL_S3.
//
// Why a proxy and not the fault-injecting object store: these faults happen on the wire,
// below runlake's S3 client, so they test the client's own classification and retries
// (src/store/s3_client.cc) as a real outage would.
//
// One request per connection: the proxy rewrites the request's Connection header to
// "close" (SigV4 does not sign it), so RGW closes after its answer and the proxy can see,
// and fault, every request by itself. The Host header and everything else go through
// byte for byte, so RGW checks the signature runlake computed for the proxy's host:port.
//
//   auto proxy = FaultProxy::Start("http://127.0.0.1:7480");
//   proxy->Inject({.fault = Fault::kSlowDown503, .count = 2, .method = "PUT",
//                  .target_contains = "/silver/"});

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace runlake::it {

enum class Fault {
  kSlowDown503,    // 503 with an S3 <Error><Code>SlowDown</Code> body: throttling
  kInternal500,    // 500 InternalError: a server-side failure
  kReset,          // the connection is reset (RST) without an answer
  kStall,          // nothing for `stall`, then the request is forwarded as usual
  kDropAnswer,     // forwarded and done by RGW, but the client's connection is reset
                   // instead of answered: a write whose outcome the client cannot know
};

// Which requests to fault and how. A request matches when its method equals `method`
// (any method when empty) and its request target ("/bucket/key?query", percent-encoded)
// contains `target_contains`.
struct FaultRule {
  Fault fault = Fault::kSlowDown503;
  int count = 1;  // matching requests to fault, then the rule is spent; -1: every one
  std::string method;
  std::string target_contains;
  std::chrono::milliseconds stall{0};  // kStall only
};

class FaultProxy {
 public:
  // Starts listening and forwarding to `upstream` ("http://host:port"). Null, with
  // `error` set, when the socket cannot be opened.
  static std::unique_ptr<FaultProxy> Start(const std::string& upstream, std::string* error = nullptr);
  // Stops accepting, ends every connection in flight and joins their threads.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // "http://127.0.0.1:PORT": the endpoint to give runlake.
  std::string endpoint() const;
  // Adds a rule; a request takes the fault of the first rule, in the order added, that
  // matches it and is not spent.
  void Inject(const FaultRule& rule);
  // Drops every rule: everything is forwarded from now on.
  void Clear();
  // Requests answered with a fault so far (stalls included).
  int faults() const { return faults_.load(); }
  // One line per request seen, in order: "PUT /bucket/key -> 503 SlowDown", "-> forwarded"...
  std::vector<std::string> Log() const;

 private:
  FaultProxy(int listen_fd, int port, std::string upstream_host, int upstream_port);
  void AcceptLoop();
  void Serve(int client);
  // The fault for this request, if the rule matches and is not spent (counts it down).
  bool TakeFault(const std::string& method, const std::string& target, FaultRule* out);
  void Record(const std::string& line);

  int listen_fd_;
  int port_;
  std::string upstream_host_;
  int upstream_port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> faults_{0};
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;  // guarded by mu_, as is log_
  std::vector<std::string> log_;
  std::vector<std::thread> threads_;  // one per connection, joined on destruction
  std::thread acceptor_;
};

}  // namespace runlake::it
