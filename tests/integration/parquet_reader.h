#pragma once
// Reads the lake's Parquet files back through DuckDB directly (not through runlake's
// views), so counts and sums are checked independently of `runlake query`.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "cli_runner.h"

namespace runlake::it {

// "-1234.5" -> -123450 (exact, no floating point).
inline int64_t ToCents(const std::string& text) {
  std::string s = text;
  bool neg = !s.empty() && s[0] == '-';
  if (neg || (!s.empty() && s[0] == '+')) s = s.substr(1);
  auto dot = s.find('.');
  std::string whole = dot == std::string::npos ? s : s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  while (frac.size() < 2) frac += '0';
  if (frac.size() > 2) throw std::runtime_error("more than 2 fractional digits: " + text);
  int64_t v = (whole.empty() ? 0 : std::stoll(whole)) * 100 + std::stoll(frac);
  return neg ? -v : v;
}

class ParquetReader {
 public:
  ParquetReader() {
    auto e = Engine::Open();
    if (!e.ok()) throw std::runtime_error("Engine::Open: " + e.status().ToString());
    engine_ = std::move(*e);
  }
  QueryResult Query(const std::string& sql) {
    auto r = engine_->Query(sql);
    if (!r.ok()) throw std::runtime_error(sql + ": " + r.status().ToString());
    return *r;
  }
  std::string Scalar(const std::string& sql) {
    QueryResult r = Query(sql);
    if (r.rows.size() != 1 || r.rows[0].empty()) throw std::runtime_error("not one value: " + sql);
    return r.rows[0][0].value_or("NULL");
  }
  // The Parquet files of one run in one layer, as absolute paths.
  static std::vector<std::string> RunFiles(const TestLake& lake, const std::string& layer,
                                           const std::string& run_id) {
    std::vector<std::string> out;
    for (const auto& rel : ListFiles(lake.Lake(layer))) {
      if (rel.find("/run_id=" + run_id + "/") != std::string::npos && rel.size() > 8 &&
          rel.substr(rel.size() - 8) == ".parquet") {
        out.push_back(lake.Lake(layer + "/" + rel));
      }
    }
    return out;
  }
  static std::string FileList(const std::vector<std::string>& files) {
    std::string s = "[";
    for (size_t i = 0; i < files.size(); ++i) s += (i ? ", " : "") + Engine::Quote(files[i]);
    return s + "]";
  }
  int64_t Count(const std::vector<std::string>& files) {
    if (files.empty()) return 0;
    return std::stoll(Scalar("SELECT count(*) FROM read_parquet(" + FileList(files) + ")"));
  }
  int64_t SumCents(const std::vector<std::string>& files, const std::string& column = "amount") {
    if (files.empty()) return 0;
    return ToCents(Scalar("SELECT coalesce(sum(" + column + "), 0) FROM read_parquet(" + FileList(files) + ")"));
  }

 private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace runlake::it
