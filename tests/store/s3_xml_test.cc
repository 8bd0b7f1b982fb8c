// S3's XML responses through pugixml (store/s3_xml_internal.h): the shapes S3 and RGW
// send, the XML features the old hand-written scanner never saw, and broken bodies,
// which must fail loudly instead of yielding a short listing. The last tests drive
// S3ObjectStore::List against a scripted server, so a bad page reaches the caller.

#include <gtest/gtest.h>

#include <string>

#include "fake_http_server.h"
#include "runlake/object_store.h"
#include "store/s3_xml_internal.h"

namespace runlake::s3 {
namespace {

std::string Entry(const std::string& key, uint64_t size, const std::string& etag = "\"e\"") {
  return "<Contents><Key>" + key +
         "</Key><LastModified>2026-01-29T15:00:00.000Z</LastModified>"
         "<ETag>" +
         XmlEscape(etag) + "</ETag><Size>" + std::to_string(size) +
         "</Size><StorageClass>STANDARD</StorageClass></Contents>";
}

std::string Page(const std::string& entries, bool truncated = false,
                 const std::string& token = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
         "<Name>bkt</Name><Prefix>lake/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
         "<IsTruncated>" +
         std::string(truncated ? "true" : "false") + "</IsTruncated>" +
         (token.empty() ? "" : "<NextContinuationToken>" + token + "</NextContinuationToken>") +
         entries + "</ListBucketResult>";
}

TEST(S3XmlTest, ParsesAListPageLikeS3Sends) {
  auto page = ParseListObjectsV2(Page(Entry("lake/a.csv", 12, "\"abc\"") + Entry("lake/b", 0)));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "lake/a.csv");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].etag, "\"abc\"");
  EXPECT_EQ(page->objects[1].key, "lake/b");
  EXPECT_EQ(page->objects[1].size, 0u);
  EXPECT_FALSE(page->truncated);
  EXPECT_TRUE(page->next_token.empty());
}

TEST(S3XmlTest, KeyCountIsNotMistakenForKey) {
  // The old scanner had to special-case <KeyCount> when looking for <Key>.
  auto page = ParseListObjectsV2(Page(Entry("k", 1)));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "k");
}

TEST(S3XmlTest, TruncatedPageCarriesItsContinuationToken) {
  auto page = ParseListObjectsV2(Page(Entry("k", 1), true, "tok+/=="));
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "tok+/==");
}

TEST(S3XmlTest, EntitiesInKeysAreDecoded) {
  auto page = ParseListObjectsV2(
      Page(Entry("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#13;&#x20AC;&#128512;", 1)));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->objects[0].key, "a & b <c> \"d\" 'e' \r\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(S3XmlTest, CdataSectionsAndMixedTextJoin) {
  auto page = ParseListObjectsV2(Page(Entry("x/<![CDATA[a<&>b]]>/&amp;<![CDATA[]]>y", 1)));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->objects[0].key, "x/a<&>b/&y");
}

TEST(S3XmlTest, CommentsAndProcessingInstructionsAreIgnored) {
  std::string body = Page(
      "<!-- a comment <Key>no</Key> --><Contents><!-- c --><Key>k<!-- mid -->"
      "ey</Key><?pi x?><Size>5</Size></Contents>");
  auto page = ParseListObjectsV2(body);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "key");
  EXPECT_EQ(page->objects[0].size, 5u);
}

TEST(S3XmlTest, PrefixedNamespacesReadLikePlainOnes) {
  std::string body =
      "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<s3:IsTruncated>true</s3:IsTruncated><s3:NextContinuationToken>t1"
      "</s3:NextContinuationToken><s3:Contents><s3:Key>p/k</s3:Key><s3:Size>7</s3:Size>"
      "<s3:ETag>&quot;x&quot;</s3:ETag></s3:Contents></s3:ListBucketResult>";
  auto page = ParseListObjectsV2(body);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "p/k");
  EXPECT_EQ(page->objects[0].size, 7u);
  EXPECT_EQ(page->objects[0].etag, "\"x\"");
  EXPECT_EQ(page->next_token, "t1");
}

TEST(S3XmlTest, WhitespaceInKeysIsKeptAndIndentationIgnored) {
  std::string body =
      "<ListBucketResult>\n  <IsTruncated>false</IsTruncated>\n  <Contents>\n"
      "    <Key>  </Key>\n    <Size>3</Size>\n  </Contents>\n</ListBucketResult>\n";
  auto page = ParseListObjectsV2(body);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "  ");
}

TEST(S3XmlTest, DoctypeEntitiesAreNeverExpanded) {
  std::string body =
      "<!DOCTYPE r [<!ENTITY big \"XXXXXXXX\"><!ENTITY ext SYSTEM "
      "\"file:///etc/passwd\">]>" +
      Page(Entry("&big;&ext;", 1));
  auto page = ParseListObjectsV2(body);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->objects[0].key.find("XXXX"), std::string::npos);
  EXPECT_EQ(page->objects[0].key.find("root"), std::string::npos);
}

TEST(S3XmlTest, AThousandKeyPageKeepsOrderAndSizes) {
  std::string entries;
  for (int i = 0; i < 1000; ++i) entries += Entry("lake/k" + std::to_string(i), 1000 + i);
  auto page = ParseListObjectsV2(Page(entries, true, "next"));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(page->objects[i].key, "lake/k" + std::to_string(i));
    EXPECT_EQ(page->objects[i].size, uint64_t(1000 + i));
  }
  EXPECT_EQ(page->next_token, "next");
}

TEST(S3XmlTest, EveryTruncationOfAPageIsAnErrorNotAShortList) {
  std::string full = Page(Entry("lake/a", 1) + Entry("lake/b", 2) + Entry("lake/c", 3));
  // Cut anywhere before the root's closing tag ends: never a crash, never a silent list.
  size_t end = full.rfind("</ListBucketResult>");
  for (size_t n = 0; n < end + std::string("</ListBucketResult").size(); ++n) {
    auto page = ParseListObjectsV2(full.substr(0, n));
    ASSERT_FALSE(page.ok()) << "cut at " << n << " parsed " << page->objects.size();
    EXPECT_TRUE(page.status().IsIOError());
    EXPECT_NE(page.status().message().find("S3 ListObjectsV2"), std::string::npos);
  }
  EXPECT_TRUE(ParseListObjectsV2(full).ok());
}

TEST(S3XmlTest, ErrorsNameTheProblemAndByteOffset) {
  auto r = ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at byte"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("mismatch"), std::string::npos) << r.status().message();
}

TEST(S3XmlTest, StructurallyWrongPagesAreRefused) {
  auto not_list = ParseListObjectsV2("<html><body>proxy error</body></html>");
  ASSERT_FALSE(not_list.ok());
  EXPECT_NE(not_list.status().message().find("<html>"), std::string::npos);
  EXPECT_FALSE(ParseListObjectsV2("").ok());
  EXPECT_FALSE(ParseListObjectsV2("not xml at all").ok());
  // No <IsTruncated>: we cannot know whether the listing is complete.
  EXPECT_FALSE(
      ParseListObjectsV2("<ListBucketResult>" + Entry("k", 1) + "</ListBucketResult>").ok());
  EXPECT_FALSE(ParseListObjectsV2(Page(Entry("k", 1), true)).ok());  // truncated, no token
  EXPECT_FALSE(ParseListObjectsV2(Page("<Contents><Size>1</Size></Contents>")).ok());
  auto bad_size = ParseListObjectsV2(Page(Entry("k", 1) + "<Contents><Key>b</Key><Size>1e3"
                                                          "</Size></Contents>"));
  ASSERT_FALSE(bad_size.ok());
  EXPECT_NE(bad_size.status().message().find("entry 2"), std::string::npos);
  EXPECT_FALSE(ParseListObjectsV2(Page("<Contents><Key>b</Key><Size>-1</Size></Contents>")).ok());
  EXPECT_FALSE(ParseListObjectsV2(Page("<Contents><Key>b</Key></Contents>")).ok());
  EXPECT_FALSE(ParseListObjectsV2(Page("<Contents><Key>b</Key><Size>99999999999999999999</Size>"
                                       "</Contents>"))
                   .ok());
}

TEST(S3XmlTest, UploadId) {
  auto id = ParseUploadId(
      "<?xml version=\"1.0\"?><InitiateMultipartUploadResult xmlns=\"x\">"
      "<Bucket>b</Bucket><Key>k</Key><UploadId>2~abc&amp;d</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "2~abc&d");
  EXPECT_FALSE(ParseUploadId("<InitiateMultipartUploadResult><Bucket>b</Bucket>"
                             "</InitiateMultipartUploadResult>")
                   .ok());
  EXPECT_FALSE(ParseUploadId("<InitiateMultipartUploadResult><UploadId>abc").ok());
}

TEST(S3XmlTest, ErrorBodies) {
  ErrorInfo e = ParseError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey"
      "</Code><Message>The key &lt;x&gt; does not exist</Message>"
      "<RequestId>r</RequestId></Error>");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The key <x> does not exist");
  EXPECT_EQ(ParseError("").code, "");
  EXPECT_EQ(ParseError("<html>Bad Gateway</html>").code, "");
  EXPECT_EQ(ParseError("<Error><Code>SlowDown").code, "");  // truncated: no half-read code
  // A success document that mentions an error element deeper down is not an error.
  EXPECT_EQ(ParseError("<CompleteMultipartUploadResult><Error><Code>X</Code></Error>"
                       "</CompleteMultipartUploadResult>")
                .code,
            "");
}

TEST(S3XmlTest, EscapeRoundTripsThroughTheParser) {
  std::string raw = "a&b<c>\"d\"'e' \xE2\x82\xAC";
  EXPECT_EQ(XmlEscape(raw), "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos; \xE2\x82\xAC");
  auto id = ParseUploadId("<R><UploadId>" + XmlEscape(raw) + "</UploadId></R>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, raw);
}

// ---- through S3ObjectStore::List, against a scripted server -----------------------------

S3Config FakeConfig(const std::string& endpoint) {
  S3Config c;
  c.bucket = "bkt";
  c.prefix = "lake";
  c.endpoint = endpoint;
  c.access_key_id = "AKIDFAKE";
  c.secret_access_key = "fake-secret";
  c.max_attempts = 2;
  c.retry_base_ms = 1;
  c.retry_max_ms = 2;
  return c;
}

TEST(S3XmlListTest, ATruncatedSecondPageFailsTheListing) {
  using runlake::testing::HttpRequest;
  using runlake::testing::HttpResponse;
  std::string second = Page(Entry("lake/c", 3) + Entry("lake/d", 4));
  second.resize(second.size() - 30);  // the connection's bytes stop mid-document
  runlake::testing::FakeHttpServer server([&](const HttpRequest& r) {
    if (r.target.find("continuation-token") == std::string::npos) {
      return HttpResponse(200, Page(Entry("lake/a", 1) + Entry("lake/b", 2), true, "p2"));
    }
    return HttpResponse(200, second);
  });
  auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
  auto listed = store->List("");
  ASSERT_FALSE(listed.ok()) << "listed " << listed->size() << " objects from a broken page";
  EXPECT_TRUE(listed.status().IsIOError());
  EXPECT_NE(listed.status().message().find("s3://bkt/lake"), std::string::npos)
      << listed.status().message();
  EXPECT_NE(listed.status().message().find("malformed S3 ListObjectsV2"), std::string::npos);
}

TEST(S3XmlListTest, PagesFollowTokensAndStripThePrefix) {
  using runlake::testing::HttpRequest;
  using runlake::testing::HttpResponse;
  runlake::testing::FakeHttpServer server([&](const HttpRequest& r) {
    if (r.target.find("continuation-token=p2") == std::string::npos) {
      return HttpResponse(200, Page(Entry("lake/b", 2) + Entry("lake/a", 1), true, "p2"));
    }
    return HttpResponse(200, Page(Entry("lake/c", 3, "\"etag-c\"")));
  });
  auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
  auto listed = store->List("");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].key, "a");  // sorted
  EXPECT_EQ((*listed)[2].key, "c");
  EXPECT_EQ((*listed)[2].size, 3u);
  EXPECT_EQ((*listed)[2].etag, "etag-c");
}

}  // namespace
}  // namespace runlake::s3
