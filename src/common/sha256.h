#pragma once
// Incremental SHA-256 (OpenSSL; uses the CPU's SHA extensions when present).

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace runlake {

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
  // Lowercase hex digest; the object is reset for reuse.
  std::string HexDigest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (unsigned i = 0; i < len; ++i) {
      out[2 * i] = hex[md[i] >> 4];
      out[2 * i + 1] = hex[md[i] & 15];
    }
    return out;
  }
  static std::string Of(std::string_view data) {
    Sha256 h;
    h.Update(data);
    return h.HexDigest();
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace runlake
