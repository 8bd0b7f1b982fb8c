#pragma once
// SHA-256 through OpenSSL (SHA-NI/AVX2 when the CPU has them), the one place runlake
// hashes: files and object bodies incrementally, rules and keys in one call, and every
// bronze row (row_hash) on the hot path.

#include <cstddef>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace runlake {

class Sha256 {
 public:
  static constexpr size_t kHexSize = 64;

  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // Lowercase hex digest of everything Update()d; the object is reset for reuse.
  std::string HexDigest();

  // Lowercase hex SHA-256 of `data`.
  static std::string Of(std::string_view data);

  // Writes the lowercase hex digest of `data` to out[0..kHexSize). The per-row path: it
  // uses OpenSSL's low-level SHA256_* functions, which run the same block code as EVP but
  // skip EVP's per-call dispatch (113 ns vs 185 ns CPU for a 58-byte row, bench/README.md),
  // and needs no object.
  static void HexOf(std::string_view data, char* out);

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace runlake
