#pragma once
/// \file
/// Incremental SHA-256 (OpenSSL EVP), internal to concord_pipeline: alliance ids
/// (alliance.cpp) and the local-representation store's keys (local_store.cpp).

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "concord/error.hpp"

namespace concord::pipeline {

/// Incremental SHA-256 through OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw Error("SHA-256: cannot initialise OpenSSL digest");
  }
  void update(const void* data, size_t n) {
    if (n > 0 && EVP_DigestUpdate(ctx_.get(), data, n) != 1) throw Error("SHA-256: update failed");
  }
  /// Length-prefixed, so that ("ab","c") and ("a","bc") hash differently.
  void field(const std::string& s) {
    const uint64_t n = s.size();
    update(&n, sizeof n);
    update(s.data(), s.size());
  }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &n) != 1) throw Error("SHA-256: final failed");
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

}  // namespace concord::pipeline
