#pragma once
// Helpers for the ingest tests: an ObjectReader over a string (so the tests do not
// depend on src/store), gzip compression through ISA-L, and a whole-source runner.

#include <gtest/gtest.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ingest/transform.h"
#include "runlake/object_store.h"

namespace runlake::ingest_test {

// Hands out the string in reads of at most `max_chunk` bytes; with a seed, in random
// sizes 1..max_chunk, to shake out buffer-boundary bugs.
class StringReader : public ObjectReader {
 public:
  explicit StringReader(std::string data, size_t max_chunk = 1 << 20, uint32_t seed = 0)
      : data_(std::move(data)),
        max_chunk_(std::max<size_t>(max_chunk, 1)),
        rng_(seed),
        random_(seed != 0) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t limit =
        random_ ? std::uniform_int_distribution<size_t>(1, max_chunk_)(rng_) : max_chunk_;
    size_t take = std::min({n, limit, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, take, buf);
    pos_ += take;
    return take;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t max_chunk_;
  std::mt19937 rng_;
  bool random_;
};

// Fails every read: a storage error must come through unchanged in kind.
class FailingReader : public ObjectReader {
 public:
  Result<size_t> Read(char*, size_t) override { return Status::IOError("disk on fire"); }
};

inline std::unique_ptr<ObjectReader> Reader(std::string data, size_t max_chunk = 1 << 20,
                                            uint32_t seed = 0) {
  return std::make_unique<StringReader>(std::move(data), max_chunk, seed);
}

// One gzip member (header, deflate, CRC-32 and length trailer).
inline std::string Gzip(const std::string& data) {
  isal_zstream s;
  isal_deflate_init(&s);
  s.gzip_flag = IGZIP_GZIP;
  s.end_of_stream = 1;
  s.flush = NO_FLUSH;
  s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uint32_t>(data.size());
  std::string out(data.size() + 1024, '\0');
  size_t used = 0;
  while (s.internal_state.state != ZSTATE_END) {
    if (used == out.size()) out.resize(out.size() * 2);
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = static_cast<uint32_t>(out.size() - used);
    if (isal_deflate(&s) != COMP_OK) return "";
    used = out.size() - s.avail_out;
  }
  out.resize(used);
  return out;
}

struct ValidRow {
  std::string transaction_id, account_id, currency, transaction_type, row_hash;
  int64_t amount_cents, tx_micros, source_line;
};
struct RejectedRow {
  std::string raw_record, validation_error, validation_errors, row_hash;
  int64_t source_line;
  int attempt_count;
  bool condemned;
};
struct Outcome {
  Status status;  // first error from Open or Next
  std::vector<ValidRow> valid;
  std::vector<RejectedRow> rejected;
  TransformStats stats;
  int batches = 0;
};

// Rules set in code, as a rules file giving `keys` would set them (only given keys override
// the contract: Rules::given).
inline Rules Giving(Rules rules, std::initializer_list<const char*> keys) {
  for (const char* k : keys) rules.given.insert(k);
  return rules;
}

inline TransformOptions Options(std::string schema = "v1") {
  TransformOptions o;
  o.schema_version = std::move(schema);
  o.source_name = "bronze/test.csv";
  return o;
}

// Runs a transformer over `data` to the end, collecting every row.
inline Outcome Transform(std::string data, TransformOptions options = Options(),
                         size_t max_chunk = 1 << 20, uint32_t seed = 0) {
  Outcome out;
  auto t = RowTransformer::Open(Reader(std::move(data), max_chunk, seed), std::move(options));
  if (!t.ok()) {
    out.status = t.status();
    return out;
  }
  ValidRows valid;
  RejectedRows rejected;
  while (true) {
    auto more = (*t)->Next(&valid, &rejected);
    if (!more.ok()) {
      out.status = more.status();
      break;
    }
    // The transactions contract's columns: transaction_id, account_id, amount, currency,
    // tx_date, and transaction_type in v2.
    const auto& c = valid.columns;
    for (size_t i = 0; i < valid.size(); ++i) {
      out.valid.push_back(
          {std::string(c[0].strings[i]), std::string(c[1].strings[i]),
           std::string(c[3].strings[i]), c.size() > 5 ? std::string(c[5].strings[i]) : std::string(),
           std::string(valid.row_hash[i]), c[2].words[i], c[4].words[i], valid.source_line[i]});
    }
    for (size_t i = 0; i < rejected.size(); ++i) {
      out.rejected.push_back(
          {std::string(rejected.raw_record[i]), std::string(rejected.validation_error[i]),
           std::string(rejected.validation_errors[i]), std::string(rejected.row_hash[i]),
           rejected.source_line[i], rejected.attempt_count[i], rejected.condemned[i] != 0});
    }
    if (!*more) {
      EXPECT_EQ(valid.size() + rejected.size(), 0u) << "rows returned with false";
      break;
    }
    ++out.batches;
  }
  // Loop prevention's late half, as the run writer's reject sink applies it.
  const int max_attempts = (*t)->max_attempts();
  auto attempts = (*t)->ResolveAttempts();
  if (!attempts.ok()) {
    out.status = attempts.status();
  } else {
    for (size_t i = 0; i < attempts->size() && i < out.rejected.size(); ++i) {
      auto& r = out.rejected[i];
      r.attempt_count = (*attempts)[i];
      if (!r.condemned && r.attempt_count >= max_attempts) {
        r.condemned = true;
        r.validation_error = "MAX_ATTEMPTS";
        r.validation_errors += ",MAX_ATTEMPTS";
      }
    }
  }
  out.stats = (*t)->stats();
  return out;
}

inline const char* kV1Header =
    "TransactionID,CustomerID,TransactionAmount,Currency,"
    "TransactionTimestamp\n";

}  // namespace runlake::ingest_test
