// Differential test: the per-row SHA-256 fast path (OpenSSL's low-level SHA256_* and a
// table-driven hex encoder) against the plain EVP path, on generated inputs of every
// length around the 55/56/64-byte padding boundaries, and on known vectors.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>

#include "common/sha256.h"

namespace runlake {
namespace {

// The simple reference: one-shot EVP_Digest, hex with snprintf.
std::string ReferenceHex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr), 1);
  std::string out;
  char pair[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    out += pair;
  }
  return out;
}

std::string FastHex(const std::string& data) {
  char out[Sha256::kHexSize];
  Sha256::HexOf(std::string_view(data), out);
  return std::string(out, sizeof out);
}

TEST(HashDifferentialTest, KnownVectors) {
  EXPECT_EQ(FastHex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(FastHex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::Of("abc"), FastHex("abc"));
}

TEST(HashDifferentialTest, EveryLengthAndRandomBytes) {
  std::mt19937 rng(6);
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t len = 0; len <= 300; ++len) {
    for (int rep = 0; rep < 4; ++rep) {
      std::string data(len, '\0');
      for (char& c : data) c = static_cast<char>(byte(rng));
      ASSERT_EQ(FastHex(data), ReferenceHex(data)) << "length " << len;
      ASSERT_EQ(Sha256::Of(data), ReferenceHex(data)) << "length " << len;
    }
  }
}

TEST(HashDifferentialTest, CsvLikeRows) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string row = "TX" + std::to_string(rng()) + ",ACC" + std::to_string(rng() % 100000) +
                      "," + std::to_string(static_cast<int>(rng() % 200000) - 100000) + "." +
                      std::to_string(rng() % 100) + ",EUR,2024-01-" +
                      std::to_string(10 + rng() % 18) + "T10:00:00Z";
    ASSERT_EQ(FastHex(row), ReferenceHex(row)) << row;
  }
}

}  // namespace
}  // namespace runlake
