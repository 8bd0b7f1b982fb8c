// The whole transform compiled from a contract (RowTransformer) against the reference of
// contract_transform_reference.h: random contracts with random keys and partitions, random
// records written as CSV (quoted or not), fixed seeds; every record must come out as a valid
// row with the reference's values or as a rejected row with the reference's reasons, in file
// order. With the built-in transactions contract the same comparison runs over `runlake
// sample`'s files: the proof that the transactions dataset needs no code of its own.
// tests/fuzz/contract_transform_fuzz.cc does the same with the fuzzer's bytes.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/temp_dir.h"
#include "contract_transform_reference.h"
#include "csv_scan_util.h"
#include "runlake/builtin_contracts.h"
#include "runlake/sample.h"

namespace runlake {
namespace {

using namespace keyed_reference;

TEST(TransformContract, RandomContractsMatchTheReference) {
  Rng pick(20261208);
  int compared = 0;
  for (int round = 0; round < 400; ++round) {
    const std::optional<std::string> outcome = RandomCase(pick, 60);
    if (!outcome) continue;  // a header the run refuses: not a case
    ASSERT_EQ(*outcome, "");
    ++compared;
  }
  EXPECT_GT(compared, 300);
}

// `runlake sample`'s transactions files through the built-in contract, against the reference.
TEST(TransformContract, SampleFilesThroughTheBuiltInContract) {
  for (const std::string version : {"v1", "v2"}) {
    SampleOptions options;
    options.rows = 3000;
    options.end_date = "2024-01-15";
    options.schema_version = version;
    options.seed = 7;
    testing::TempDir dir;
    const std::string path = dir.path() + "/sample.csv";
    ASSERT_TRUE(WriteSample(path, options).ok());
    std::ifstream in(path, std::ios::binary);
    std::stringstream csv;
    csv << in.rdbuf();
    auto records = ingest_test::Scan(csv.str());
    ASSERT_TRUE(records.ok());
    std::vector<std::string> header(records->front().fields.begin(), records->front().fields.end());
    std::vector<Line> lines;
    for (size_t i = 1; i < records->size(); ++i) {
      const auto& rec = (*records)[i];
      lines.push_back(Line{{rec.fields.begin(), rec.fields.end()}, rec.raw, rec.broken});
    }
    Contract one = TransactionsContract();  // the version under test first: Compare reads schemas[0]
    std::swap(one.schemas[0], *std::find_if(one.schemas.begin(), one.schemas.end(),
                                            [&](const SchemaVersion& s) { return s.name == version; }));
    const auto want = Expected(one, header, lines, IngestDay(options.end_date));
    std::set<std::string> reasons;
    for (const Want& w : want) reasons.insert(w.reasons.begin(), w.reasons.end());
    EXPECT_TRUE(reasons.count("DUPLICATE_TRANSACTION_ID") && reasons.count("CURRENCY_ERROR") &&
                reasons.count("SCHEMA_ERROR"))
        << "the sample has invalid rows of several kinds";
    auto diff = Compare(one, csv.str(), want, options.end_date);
    EXPECT_FALSE(diff) << *diff << " (sample " << version << ")";
  }
}

}  // namespace
}  // namespace runlake

namespace runlake {
namespace {

// `runlake sample --dataset D` (WriteContractSample): its valid rows pass every check and each
// of its invalid rows breaks exactly one, on random keyed contracts through the transform.
TEST(ContractSample, EachInvalidRowBreaksExactlyOneCheck) {
  keyed_reference::Rng pick(77);
  int sampled = 0;
  std::set<std::string> reasons;
  for (int round = 0; round < 150; ++round) {
    Contract contract = keyed_reference::KeyedContract(pick);
    for (Column& c : contract.schemas[0].columns) c.reason.reset();  // the defaults: one per kind
    testing::TempDir dir;
    const std::string path = dir.path() + "/sample.csv";
    SampleOptions options;
    options.rows = 200;
    options.end_date = "2024-01-15";
    options.seed = static_cast<uint64_t>(round);
    options.invalid_fraction = 0.3;
    auto written = WriteContractSample(path, contract, options);
    if (!written.ok()) continue;  // a pattern the generator cannot satisfy: said so, exit 2
    std::ifstream in(path, std::ios::binary);
    std::stringstream csv;
    csv << in.rdbuf();
    TransformOptions o;
    o.contract = &contract;
    o.schema_version = "v1";
    o.source_name = "sample.csv";
    o.ingest_date = options.end_date;
    auto t = RowTransformer::Open(ingest_test::Reader(csv.str()), o);
    ASSERT_TRUE(t.ok()) << t.status().ToString() << "\n" << csv.str().substr(0, 300);
    ValidRows valid;
    RejectedRows rejected;
    int64_t rejects = 0;
    while (true) {
      auto more = (*t)->Next(&valid, &rejected);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      for (size_t i = 0; i < rejected.size(); ++i) {
        const std::string errors(rejected.validation_errors[i]);
        const std::string first = errors.substr(0, errors.find(','));
        const std::string rest = errors.substr(std::min(errors.size(), errors.find(',') + 1));
        EXPECT_TRUE(errors.find(',') == std::string::npos || rest == "MAX_ATTEMPTS")
            << "line " << rejected.source_line[i] << " breaks more than one check: " << errors << "\n"
            << rejected.raw_record[i];
        reasons.insert(first);
        ++rejects;
      }
      if (!*more) break;
    }
    EXPECT_EQ(rejects, written->invalid_rows) << "round " << round;
    ++sampled;
  }
  EXPECT_GT(sampled, 30);  // the others: checks that exclude every value (said so, exit 2)
  for (const char* r : {"SCHEMA_ERROR", "NULL_VALUE_ERROR", "TYPE_ERROR", "DOMAIN_ERROR", "RANGE_ERROR"}) {
    EXPECT_TRUE(reasons.count(r)) << r << " never sampled";
  }
}

}  // namespace
}  // namespace runlake
