#pragma once
// SHA-256 through OpenSSL. Row hashes go through OpenSSL's low-level SHA256_* functions,
// which run the same SHA-NI/AVX2 block code as EVP but skip EVP's per-call dispatch:
// measured 113 ns vs 185 ns CPU for a 58-byte row (bench/README.md). One-off hashes keep
// using EVP.

#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_md_st EVP_MD;

namespace runlake {

class Sha256Hasher {
 public:
  static constexpr size_t kHexSize = 64;

  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  // Writes the lowercase hex digest of `data` to out[0..64).
  void HexDigest(std::string_view data, char* out);
  std::string HexDigest(std::string_view data);

 private:
  EVP_MD_CTX* ctx_;  // for HexDigest(string_view) -> string
  EVP_MD* md_;
};

// Convenience for one-off hashes (rules files): lowercase hex SHA-256.
std::string Sha256Hex(std::string_view data);

}  // namespace runlake
