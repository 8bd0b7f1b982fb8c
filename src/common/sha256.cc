// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but they remain
// (and are what EVP runs underneath); we use them for speed on the per-row path only.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>

namespace runlake {
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

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  // Without a context SHA-256 cannot work at all: a broken installation, not a data error.
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, digest, &len) != 1 || len != 32) std::abort();
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  std::string out(kHexSize, '\0');
  ToHex(digest, out.data());
  return out;
}

std::string Sha256::Of(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.HexDigest();
}

void Sha256::HexOf(std::string_view data, char* out) {
  unsigned char digest[32];
  SHA256_CTX ctx;
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
      SHA256_Final(digest, &ctx) != 1) {
    std::abort();  // cannot fail for SHA-256
  }
  ToHex(digest, out);
}

}  // namespace runlake
