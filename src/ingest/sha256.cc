#include "ingest/sha256.h"

#include <openssl/evp.h>

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

void Sha256Hasher::HexDigest(std::string_view data, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char digest[32];
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, digest, &len) != 1 || len != 32) {
    std::abort();  // cannot fail for SHA-256 with a valid context
  }
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
}

std::string Sha256Hasher::HexDigest(std::string_view data) {
  std::string out(kHexSize, '\0');
  HexDigest(data, out.data());
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Hasher hasher;
  return hasher.HexDigest(data);
}

}  // namespace runlake
