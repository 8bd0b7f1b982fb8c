// The real `runlake serve` over a lake with damage an operator must see: a run whose file
// is missing or has the wrong size (U20) and one whose manifest does not parse (U23) are
// CORRUPT pages (200, with the reason), never normal and never a 500, and the overview
// links to no page that fails; /metrics figures that fall when a run is deleted are gauges
// (U24).

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "runlake/canonical_table.h"
#include "runlake/run_delete.h"
#include "runlake/run_manifest.h"
#include "serve/serve_process.h"

namespace runlake::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ServeHttpLakeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(lake_.Build()); }

  // The local path of the first `layer` file of committed run `run_id`.
  std::string FileOf(const std::string& run_id, const std::string& layer) {
    auto m = LoadRunManifest(*lake_.store, run_id);
    EXPECT_TRUE(m.ok() && *m) << run_id;
    if (!m.ok() || !*m) return "";
    for (const auto& f : (*m)->files) {
      if (f.layer == layer) return *lake_.store->LocalPath(f.key);
    }
    ADD_FAILURE() << run_id << " has no " << layer << " file";
    return "";
  }

  testing::ServeTestLake lake_;
};

json GetJson(httplib::Client& client, const std::string& path) {
  auto r = client.Get(path);
  EXPECT_TRUE(r) << path;
  if (!r) return json();
  EXPECT_EQ(r->status, 200) << path << "\n" << r->body;
  return json::parse(r->body, nullptr, false);
}

const json* Entry(const json& list, const std::string& run_id) {
  for (const auto& e : list) {
    if (e.value("run_id", "") == run_id) return &e;
  }
  return nullptr;
}

TEST_F(ServeHttpLakeTest, RunsWithAMissingOrResizedFileShowCorrupt) {
  std::string missing = FileOf("daily-2024-01-02", "silver");
  std::string resized = FileOf("daily-2024-01-01", "silver");
  ASSERT_FALSE(missing.empty());
  ASSERT_FALSE(resized.empty());
  ASSERT_TRUE(fs::remove(missing));
  std::ofstream(resized, std::ios::app | std::ios::binary) << "x";
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  httplib::Client client("127.0.0.1", serve.port());

  json gone = GetJson(client, "/api/runs/daily-2024-01-02");
  EXPECT_EQ(gone["status"], "CORRUPT") << gone.dump(2);
  ASSERT_EQ(gone["problems"].size(), 1u) << gone.dump(2);
  EXPECT_NE(gone["problems"][0].get<std::string>().find("is missing"), std::string::npos);
  json grown = GetJson(client, "/api/runs/daily-2024-01-01");
  EXPECT_EQ(grown["status"], "CORRUPT");
  ASSERT_EQ(grown["problems"].size(), 1u) << grown.dump(2);
  EXPECT_NE(grown["problems"][0].get<std::string>().find("bytes, its manifest says"),
            std::string::npos);
  EXPECT_EQ(GetJson(client, "/api/runs/strict-2024-01-02")["status"], "ok");
  auto page = client.Get("/runs/daily-2024-01-02");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<b>CORRUPT</b>"), std::string::npos);
  EXPECT_NE(page->body.find("is missing"), std::string::npos);

  json overview = GetJson(client, "/api/");
  for (const char* rid : {"daily-2024-01-02", "daily-2024-01-01"}) {
    const json* last = Entry(overview["last_runs"], rid);
    ASSERT_NE(last, nullptr) << rid;
    EXPECT_EQ((*last)["status"], "CORRUPT") << rid;
    const json* corrupt = Entry(overview["invisible_runs"], rid);
    ASSERT_NE(corrupt, nullptr) << rid << " is not listed corrupt: " << overview.dump(2);
    EXPECT_EQ((*corrupt)["status"], "CORRUPT");
  }
  EXPECT_EQ((*Entry(overview["last_runs"], "strict-2024-01-02"))["status"], "ok");
  auto html = client.Get("/");
  ASSERT_TRUE(html);
  EXPECT_NE(html->body.find("<h2>Corrupt runs</h2>"), std::string::npos);
  EXPECT_NE(html->body.find("is missing"), std::string::npos);
  EXPECT_EQ(serve.Stop(), 0) << serve.Err();
}

// Every same-origin link of an HTML page (&amp; unescaped).
std::set<std::string> LinksOf(const std::string& html) {
  std::set<std::string> out;
  std::regex href("href=\"(/[^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator();
       ++it) {
    out.insert(std::regex_replace((*it)[1].str(), std::regex("&amp;"), "&"));
  }
  return out;
}

TEST_F(ServeHttpLakeTest, AnUnparsableManifestIsACorruptPageNeverA500) {
  std::ofstream(*lake_.store->LocalPath("_runs/daily-2024-01-02.json"), std::ios::trunc)
      << "{\"run_id\": \"daily-2024-01-02\", ";
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  httplib::Client client("127.0.0.1", serve.port());

  auto page = client.Get("/runs/daily-2024-01-02");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_NE(page->body.find("<b>CORRUPT</b>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("not valid JSON"), std::string::npos);
  EXPECT_NE(page->body.find("runs delete --force daily-2024-01-02"), std::string::npos);
  json run = GetJson(client, "/api/runs/daily-2024-01-02");
  EXPECT_EQ(run["status"], "CORRUPT");
  EXPECT_TRUE(run["manifest"].is_null());

  // The overview names the run (linked) and links to no page that fails.
  auto overview = client.Get("/");
  ASSERT_TRUE(overview);
  std::set<std::string> links = LinksOf(overview->body);
  EXPECT_TRUE(links.count("/runs/daily-2024-01-02")) << overview->body;
  for (const auto& link : links) {
    auto r = client.Get(link);
    ASSERT_TRUE(r) << link;
    EXPECT_EQ(r->status, 200) << link << "\n" << r->body.substr(0, 500);
  }
  EXPECT_EQ(serve.Stop(), 0) << serve.Err();
}

// The value of the sample line starting with `series` ("name{labels}"); -1 when absent.
double Sample(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + series.size() + 2);
}

TEST_F(ServeHttpLakeTest, MetricsThatFallWhenARunIsDeletedAreGauges) {
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  httplib::Client client("127.0.0.1", serve.port());
  const std::string valid = "runlake_rows{dataset=\"mortgages/transactions\",outcome=\"valid\"}";
  auto before = client.Get("/metrics");
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200);
  ASSERT_GT(Sample(before->body, valid), 0) << before->body;

  auto deleted = DeleteRun(*lake_.store, "old-2024-01-01", false, PublishCanonicalTable);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  auto after = client.Get("/metrics");
  ASSERT_TRUE(after);
  EXPECT_LT(Sample(after->body, valid), Sample(before->body, valid)) << after->body;
  for (const char* type : {"# TYPE runlake_rows gauge\n", "# TYPE runlake_rejected_rows gauge\n"})
    EXPECT_NE(after->body.find(type), std::string::npos) << type << after->body;
  EXPECT_EQ(after->body.find(" counter\n"), std::string::npos) << "a counter must never fall";

  // promtool's lint (no _total on a gauge, among others) on the scrape as served.
  ASSERT_EQ(std::system("command -v promtool >/dev/null"), 0) << "run scripts/setup.sh";
  std::string path = lake_.dir.path() + "/metrics.txt";
  std::ofstream(path) << after->body;
  std::string out = lake_.dir.path() + "/promtool.out";
  int rc = std::system(("promtool check metrics < " + path + " > " + out + " 2>&1").c_str());
  EXPECT_EQ(rc, 0) << it::ReadFile(out);
  EXPECT_EQ(serve.Stop(), 0) << serve.Err();
}

}  // namespace
}  // namespace runlake::serve
