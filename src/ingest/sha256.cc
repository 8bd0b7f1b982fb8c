// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but they remain
// (and are what EVP runs underneath); we use them for speed on the per-row path only.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ingest/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>

#include <cstdlib>

namespace runlake {

Sha256Hasher::Sha256Hasher()
    : ctx_(EVP_MD_CTX_new()), md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
  // Without a context or the default provider nothing in ingest can work; this is a broken
  // installation, not a data error.
  if (ctx_ == nullptr || md_ == nullptr) std::abort();
}

Sha256Hasher::~Sha256Hasher() {
  EVP_MD_free(md_);
  EVP_MD_CTX_free(ctx_);
}

namespace {

// "00".."ff": one 2-byte store per digest byte.
struct HexPairs {
  char pairs[256][2];
  constexpr HexPairs() : pairs() {
    constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      pairs[i][0] = kHex[i >> 4];
      pairs[i][1] = kHex[i & 15];
    }
  }
};
constexpr HexPairs kHexPairs;

void ToHex(const unsigned char* digest, char* out) {
  for (int i = 0; i < 32; ++i) std::memcpy(out + 2 * i, kHexPairs.pairs[digest[i]], 2);
}

}  // namespace

void Sha256Hasher::HexDigest(std::string_view data, char* out) {
  unsigned char digest[32];
  SHA256_CTX ctx;
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
      SHA256_Final(digest, &ctx) != 1) {
    std::abort();  // cannot fail for SHA-256
  }
  ToHex(digest, out);
}

std::string Sha256Hasher::HexDigest(std::string_view data) {
  unsigned char digest[32];
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, digest, &len) != 1 || len != 32) {
    std::abort();  // cannot fail for SHA-256 with a valid context
  }
  std::string out(kHexSize, '\0');
  ToHex(digest, out.data());
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Hasher hasher;
  return hasher.HexDigest(data);
}

}  // namespace runlake
