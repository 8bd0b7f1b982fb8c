#pragma once
// A synthetic BatchPuller for tests and the write benchmark (no GoogleTest here).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/run_writer.h"

namespace runlake::testing {

// The transactions contract's batch (what RowTransformer gives for it): transaction_id,
// account_id, amount DECIMAL(16,2), currency, tx_date, and transaction_type in v2.
inline std::vector<BatchField> TransactionsFields(bool with_type) {
  std::vector<BatchField> f = {{"transaction_id", ValueKind::kString},
                               {"account_id", ValueKind::kString},
                               {"amount", ValueKind::kInt64, true, 16, 2},
                               {"currency", ValueKind::kString},
                               {"tx_date", ValueKind::kTimestamp}};
  if (with_type) f.push_back({"transaction_type", ValueKind::kString});
  return f;
}

// Its silver columns (transaction_type NULL in v1), as the pipeline derives them.
inline std::vector<SilverColumn> TransactionsSilverColumns(bool with_type) {
  return {{"transaction_id", "VARCHAR", "transaction_id"},
          {"account_id", "VARCHAR", "account_id"},
          {"amount", "DECIMAL(16,2)", "amount"},
          {"currency", "VARCHAR", "currency"},
          {"tx_date", "TIMESTAMP", "tx_date"},
          {"transaction_type", "VARCHAR", with_type ? "transaction_type" : "NULL"}};
}

// One transactions row into a batch (shaped on first use).
inline void AppendTransaction(ValidRows* v, std::string_view id, std::string_view account,
                              int64_t cents, std::string_view currency, int64_t micros,
                              const std::string* type, int64_t line, std::string_view hash) {
  const size_t columns = type != nullptr ? 6 : 5;
  if (v->columns.size() != columns) {
    v->columns.assign(columns, ValueColumn{});
    v->columns[2].kind = v->columns[4].kind = ValueKind::kInt64;
    v->columns[4].kind = ValueKind::kTimestamp;
  }
  auto text = [&](size_t c, std::string_view s) {
    v->columns[c].strings.Append(s);
    v->columns[c].nulls.push_back(0);
  };
  auto word = [&](size_t c, int64_t w) {
    v->columns[c].words.push_back(w);
    v->columns[c].nulls.push_back(0);
  };
  text(0, id);
  text(1, account);
  word(2, cents);
  text(3, currency);
  word(4, micros);
  if (type != nullptr) text(5, *type);
  v->partition_micros.push_back(micros);
  v->source_line.push_back(line);
  v->row_hash.Append(hash);
}

// Deterministic rows: row i (source_line i + 2) is rejected when i % reject_every ==
// reject_every - 1 (every other rejected row condemned); valid rows spread over `months`
// months of 2024 (`month_run` rows at a time), amounts cover negatives and cents.
struct SyntheticInput {
  int64_t rows = 1000;
  int64_t batch_size = 100;
  int64_t reject_every = 0;  // 0: no rejects
  int months = 3;
  int64_t month_run = 1;  // consecutive rows of one month (batch_size: every batch is one)
  bool with_type = false;

  bool Rejected(int64_t i) const { return reject_every > 0 && i % reject_every == reject_every - 1; }
  bool Condemned(int64_t i) const { return Rejected(i) && (i / reject_every) % 2 == 1; }
  static int64_t Cents(int64_t i) { return (i * 7919) % 200001 - 100000; }  // -1000.00..1000.00
  int Month(int64_t i) const { return 1 + static_cast<int>((i / month_run) % months); }
  static int64_t MonthStartMicros(int month) {
    static const int64_t kDays2024[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
    return (19723 + kDays2024[month - 1]) * 86400LL * 1000000;  // 19723 = 2024-01-01
  }
  int64_t TxMicros(int64_t i) const {
    return MonthStartMicros(Month(i)) + (i % 86400) * 1000000;
  }
};

// A puller over SyntheticInput; `fail_after_batches` >= 0 makes that call return IOError.
inline BatchPuller MakePuller(SyntheticInput in, int fail_after_batches = -1) {
  auto next = std::make_shared<int64_t>(0);
  auto calls = std::make_shared<int>(0);
  return [in, next, calls, fail_after_batches](ValidRows* v, RejectedRows* r) -> Result<bool> {
    v->Clear();
    r->Clear();
    if ((*calls)++ == fail_after_batches) return Status::IOError("synthetic read failure");
    if (*next >= in.rows) return false;
    int64_t end = std::min(in.rows, *next + in.batch_size);
    for (int64_t i = *next; i < end; i++) {
      std::string id = "T" + std::to_string(i);
      if (in.Rejected(i)) {
        r->raw_record.Append(id + ",C1,abc,EUR,2024-01-01T00:00:00Z");
        r->raw_bytes.Append({});
        r->source_line.push_back(i + 2);
        r->validation_error.Append(in.Condemned(i) ? "MAX_ATTEMPTS" : "TYPE_ERROR");
        r->validation_errors.Append(in.Condemned(i) ? "MAX_ATTEMPTS,TYPE_ERROR" : "TYPE_ERROR");
        r->row_hash.Append("h" + id);
        r->attempt_count.push_back(in.Condemned(i) ? 3 : 1);
        r->condemned.push_back(in.Condemned(i) ? 1 : 0);
        continue;
      }
      const std::string type = i % 3 ? "DEBIT" : "CREDIT";
      AppendTransaction(v, id, "ACC" + std::to_string(i % 97), SyntheticInput::Cents(i),
                        i % 2 ? "EUR" : "USD", in.TxMicros(i), in.with_type ? &type : nullptr,
                        i + 2,
                        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab" +
                            std::to_string(i % 10000));
    }
    *next = end;
    return true;
  };
}

}  // namespace runlake::testing
