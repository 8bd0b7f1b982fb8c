// See credentials_refresher.h.

#include "store/credentials_refresher.h"

namespace runlake::aws {

CredentialsRefresher::CredentialsRefresher(std::unique_ptr<CredentialsProvider> provider)
    : CredentialsRefresher(std::move(provider), Options()) {}

CredentialsRefresher::CredentialsRefresher(std::unique_ptr<CredentialsProvider> provider,
                                           Options options)
    : provider_(std::move(provider)), options_(std::move(options)) {}

CredentialsRefresher::~CredentialsRefresher() {
  WaitForBackgroundRefresh();
  if (background_.joinable()) background_.join();
}

TimePoint CredentialsRefresher::RefreshAt(TimePoint fetched_at, TimePoint expiration) const {
  auto lifetime = expiration - fetched_at;
  auto ahead = std::min<std::chrono::system_clock::duration>(options_.advisory, lifetime / 2);
  return expiration - ahead;
}

Result<Credentials> CredentialsRefresher::FetchNow() {
  TimePoint start = options_.now();
  ++fetches_;
  Result<Credentials> c = provider_->Fetch();
  std::lock_guard<std::mutex> lock(mu_);
  if (!c.ok()) {
    last_failure_ = options_.now();
    return c.status().WithContext("AWS credentials (" + provider_->Name() + ")");
  }
  cached_ = *c;
  last_failure_.reset();
  refresh_at_ = c->expiration ? RefreshAt(start, *c->expiration) : TimePoint::max();
  return c;
}

bool CredentialsRefresher::Usable(const Credentials& c, TimePoint now) const {
  return !c.expiration || now < *c.expiration - options_.mandatory;
}

Result<Credentials> CredentialsRefresher::Get() {
  TimePoint now = options_.now();
  std::optional<Credentials> serve;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_ && Usable(*cached_, now)) {
      bool due = now >= refresh_at_;
      bool backing_off = last_failure_ && now < *last_failure_ + options_.retry_after_failure;
      if (!due || background_running_ || backing_off) return *cached_;
      if (options_.background) {
        background_running_ = true;
        serve = *cached_;
      }
    }
  }
  if (serve) {  // still valid: answer now, refresh behind the caller's back
    StartBackground();
    return *serve;
  }
  // Missing, about to expire, or a foreground advisory refresh: fetch here, once.
  std::lock_guard<std::mutex> fetch_lock(fetch_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    TimePoint t = options_.now();
    if (cached_ && Usable(*cached_, t) && t < refresh_at_) {
      return *cached_;  // another caller refreshed while we waited
    }
  }
  Result<Credentials> fresh = FetchNow();
  if (!fresh.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    TimePoint t = options_.now();
    if (cached_ && Usable(*cached_, t)) {
      return *cached_;  // an advisory refresh failed: the old ones still serve
    }
  }
  return fresh;
}

void CredentialsRefresher::StartBackground() {
  if (background_.joinable()) background_.join();  // the previous one has finished
  background_ = std::thread([this] {
    {
      std::lock_guard<std::mutex> fetch_lock(fetch_mu_);
      (void)FetchNow();  // a failure keeps the cached credentials; retried later
    }
    std::lock_guard<std::mutex> lock(mu_);
    background_running_ = false;
    cv_.notify_all();
  });
}

Result<Credentials> CredentialsRefresher::ForceRefresh(const Credentials& stale) {
  std::lock_guard<std::mutex> fetch_lock(fetch_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_ && !cached_->SameAs(stale)) return *cached_;
  }
  return FetchNow();
}

void CredentialsRefresher::WaitForBackgroundRefresh() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !background_running_; });
}

}  // namespace runlake::aws
