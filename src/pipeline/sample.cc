#include "runlake/sample.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "common/file_writer.h"
#include "pipeline/sample_rng.h"
#include "runlake/layout.h"

namespace runlake {
namespace {

using Rng = SampleRng;

const char* kCurrencies[] = {"EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF", "JPY", "SEK"};
const char* kTypes[] = {"DEPOSIT", "WITHDRAWAL", "TRANSFER", "PAYMENT", "INTEREST"};

enum class Bad {
  kExtraField, kBrokenQuote, kNull, kCurrency, kAmount, kTimestamp, kUnlistedFormat,
  kImpossibleDate, kDuplicate, kCount
};

struct Row {
  std::string id, account, amount, currency, timestamp, type;
};

std::string Amount(Rng& rng) {
  int64_t cents = static_cast<int64_t>(rng.Below(500000)) - 50000;
  if (rng.Chance(0.1)) cents *= 100;
  char buf[40];
  const char* sign = cents < 0 ? "-" : "";
  int64_t a = cents < 0 ? -cents : cents;
  switch (rng.Below(3)) {
    case 0: std::snprintf(buf, sizeof(buf), "%s%lld.%02lld", sign, (long long)(a / 100), (long long)(a % 100)); break;
    case 1: std::snprintf(buf, sizeof(buf), "%s%lld.%lld", sign, (long long)(a / 100), (long long)(a % 100 / 10)); break;
    default: std::snprintf(buf, sizeof(buf), "%s%lld", sign, (long long)(a / 100)); break;
  }
  return buf;
}

std::string Timestamp(Rng& rng, std::chrono::sys_days first_day, int span_days, int format) {
  using namespace std::chrono;
  sys_days day = first_day + days(static_cast<int>(rng.Below(span_days)));
  year_month_day ymd(day);
  int secs = static_cast<int>(rng.Below(86400));
  int y = int(ymd.year()), m = unsigned(ymd.month()), d = unsigned(ymd.day());
  int hh = secs / 3600, mm = secs / 60 % 60, ss = secs % 60;
  char buf[48];
  if (format == 0) {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
  } else if (format == 1) {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mm, ss);
  } else {  // a format the default rules do not list: TIMESTAMP_ERROR
    std::snprintf(buf, sizeof(buf), "%02d/%02d/%04d %02d:%02d", d, m, y, hh, mm);
  }
  return buf;
}

std::string Line(const Row& r, bool v2) {
  std::string s = r.id + "," + r.account + "," + r.amount + "," + r.currency + "," + r.timestamp;
  if (v2) s += "," + r.type;
  return s;
}

}  // namespace

Result<SampleSummary> WriteSample(const std::string& path, const SampleOptions& o) {
  RUNLAKE_RETURN_NOT_OK(ValidateDate(o.end_date));
  if (o.rows < 0 || o.span_days < 1 || o.invalid_fraction < 0 || o.invalid_fraction > 1) {
    // The message names the options the user typed, not the fields behind them.
    if (o.rows < 0) return Status::InvalidArgument("sample: --rows must be >= 0");
    if (o.span_days < 1) return Status::InvalidArgument("sample: --days must be >= 1");
    return Status::InvalidArgument("sample: --invalid-fraction must be between 0 and 1");
  }
  if (o.schema_version != "v1" && o.schema_version != "v2") {
    return Status::InvalidArgument("unknown schema_version '" + o.schema_version + "' (known: v1, v2)");
  }
  bool v2 = o.schema_version == "v2";
  bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  RUNLAKE_ASSIGN_OR_RAISE(auto out, FileWriter::Create(path, gz));

  using namespace std::chrono;
  int y, m, d;
  std::sscanf(o.end_date.c_str(), "%d-%d-%d", &y, &m, &d);
  sys_days first_day = sys_days(year_month_day(year(y), month(m), day(d))) - days(o.span_days - 1);
  int accounts = o.accounts > 0 ? o.accounts : static_cast<int>(std::max<int64_t>(10, o.rows / 20));

  Rng rng(o.seed);
  SampleSummary summary;
  std::string header = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp";
  RUNLAKE_RETURN_NOT_OK(out->Write(header + (v2 ? ",TransactionType\n" : "\n")));
  std::vector<std::string> recent_ids;  // for duplicates
  std::string line;
  for (int64_t i = 0; i < o.rows; ++i) {
    Row r;
    char id[32];
    std::snprintf(id, sizeof(id), "TX%06llu%08lld", (unsigned long long)(o.seed % 1000000), (long long)i);
    r.id = id;
    r.account = "ACC" + std::to_string(rng.Below(accounts));
    r.amount = Amount(rng);
    r.currency = kCurrencies[rng.Below(std::size(kCurrencies))];
    r.timestamp = Timestamp(rng, first_day, o.span_days, rng.Chance(0.8) ? 0 : 1);
    r.type = kTypes[rng.Below(std::size(kTypes))];
    if (rng.Chance(0.02)) r.currency = "\"" + r.currency + "\"";  // quoted, still valid

    if (rng.Chance(o.invalid_fraction)) {
      ++summary.invalid_rows;
      switch (static_cast<Bad>(rng.Below(static_cast<int>(Bad::kCount)))) {
        case Bad::kExtraField: line = Line(r, v2) + ",unexpected"; break;
        case Bad::kBrokenQuote: r.account = "\"ACC" + std::to_string(i) + "\"x"; line = Line(r, v2); break;
        case Bad::kNull:
          (rng.Chance(0.5) ? r.currency : rng.Chance(0.5) ? r.amount : r.account) = rng.Chance(0.5) ? "" : "  ";
          line = Line(r, v2);
          break;
        case Bad::kCurrency: r.currency = rng.Chance(0.5) ? "XYZ" : "usd"; line = Line(r, v2); break;
        case Bad::kAmount: {
          const char* bad[] = {"\"1,000.00\"", "12.345", "1e5", "abc", "+5.00", "100000000000000.00"};
          r.amount = bad[rng.Below(std::size(bad))];
          line = Line(r, v2);
          break;
        }
        case Bad::kTimestamp: r.timestamp = "not-a-date"; line = Line(r, v2); break;
        case Bad::kUnlistedFormat: r.timestamp = Timestamp(rng, first_day, o.span_days, 2); line = Line(r, v2); break;
        case Bad::kImpossibleDate: r.timestamp = "2023-02-30T10:00:00Z"; line = Line(r, v2); break;
        case Bad::kDuplicate:
          if (!recent_ids.empty()) r.id = recent_ids[rng.Below(recent_ids.size())];
          else r.id = "TXDUP";
          line = Line(r, v2);
          if (recent_ids.empty()) recent_ids.push_back(r.id);  // the second TXDUP is the dup
          break;
        case Bad::kCount: break;
      }
    } else {
      line = Line(r, v2);
      if (recent_ids.size() < 1024) recent_ids.push_back(r.id);
      else recent_ids[rng.Below(recent_ids.size())] = r.id;
    }
    line += rng.Chance(0.01) ? "\r\n" : "\n";
    RUNLAKE_RETURN_NOT_OK(out->Write(line));
    ++summary.rows;
  }
  RUNLAKE_RETURN_NOT_OK(out->Close());
  return summary;
}

}  // namespace runlake
