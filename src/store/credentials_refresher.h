#pragma once
// A caching front for one CredentialsProvider, shared by every request of an S3 client.
// Temporary credentials are refreshed ahead of their Expiration: from 15 minutes before
// it (or from half their lifetime when they live less than 30 minutes) a Get() starts one
// background refresh and keeps answering with the cached credentials, which are still
// valid; only credentials that are missing or within a minute of expiry make Get() fetch
// in the caller's thread. ForceRefresh() is for a request the server refused with
// ExpiredToken (clocks disagree, or credentials were revoked). The clock is injectable so
// the tests can move time.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "runlake/status.h"
#include "store/credentials.h"

namespace runlake::aws {

class CredentialsRefresher {
 public:
  struct Options {
    std::function<TimePoint()> now = [] { return std::chrono::system_clock::now(); };
    std::chrono::seconds advisory{15 * 60};  // refresh this long before expiry...
    std::chrono::seconds mandatory{60};      // ...and block the caller from this long before
    std::chrono::seconds retry_after_failure{30};  // between failed background refreshes
    bool background = true;  // false: the advisory refresh runs in the caller (tests)
  };

  explicit CredentialsRefresher(std::unique_ptr<CredentialsProvider> provider);
  CredentialsRefresher(std::unique_ptr<CredentialsProvider> provider, Options options);
  ~CredentialsRefresher();  // waits for a background refresh in flight
  CredentialsRefresher(const CredentialsRefresher&) = delete;
  CredentialsRefresher& operator=(const CredentialsRefresher&) = delete;

  std::string ProviderName() const { return provider_->Name(); }
  std::string ProviderProfile() const { return provider_->Profile(); }

  // Valid credentials: the cached ones, or freshly fetched ones when there are none yet
  // or they are about to expire. The provider's error when a needed fetch fails.
  Result<Credentials> Get();

  // Fetches new credentials unless another caller already replaced `stale` since it was
  // handed out; returns the current ones either way.
  Result<Credentials> ForceRefresh(const Credentials& stale);

  // Blocks until no background refresh is in flight (tests).
  void WaitForBackgroundRefresh();
  // How many times the provider has been asked (tests).
  int fetch_count() const { return fetches_.load(); }

 private:
  // When cached credentials with this expiration should be refreshed in the background.
  TimePoint RefreshAt(TimePoint fetched_at, TimePoint expiration) const;
  bool Usable(const Credentials& c, TimePoint now) const;  // not within `mandatory` of expiry
  Result<Credentials> FetchNow();  // holds fetch_mu_; updates the cache
  void StartBackground();

  std::unique_ptr<CredentialsProvider> provider_;
  Options options_;
  std::mutex fetch_mu_;  // one fetch at a time
  std::mutex mu_;        // guards the fields below
  std::condition_variable cv_;
  std::optional<Credentials> cached_;
  TimePoint refresh_at_{};
  std::optional<TimePoint> last_failure_;
  bool background_running_ = false;
  std::thread background_;
  std::atomic<int> fetches_{0};
};

}  // namespace runlake::aws
