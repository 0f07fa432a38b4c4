#include "concord/pipeline/weight_quant.hpp"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace concord::pipeline {

namespace {

int64_t row_count(at::IntArrayRef sizes) {
  return sizes.empty() ? 0 : sizes[0];
}

int64_t col_count(at::IntArrayRef sizes) {
  int64_t n = 1;
  for (size_t i = 1; i < sizes.size(); ++i) n *= sizes[i];
  return n;
}

void check_bits(int bits) {
  if (bits != 8 && bits != 4)
    throw std::invalid_argument("weight quantization: bits must be 8 or 4, got " +
                                std::to_string(bits));
}

}  // namespace

bool quantizable(const at::Tensor& w) {
  return w.defined() && w.is_floating_point() && w.dim() >= 2 && w.numel() >= 1024;
}

QuantizedWeight quantize_weight(const at::Tensor& w, int bits) {
  check_bits(bits);
  if (w.dim() < 2) throw std::invalid_argument("weight quantization: expected ≥ 2 dims");
  const int64_t rows = w.size(0);
  const int64_t cols = col_count(w.sizes());
  at::Tensor m = w.detach().to(at::kFloat).contiguous().view({rows, cols});
  if (bits == 8) {
    // Scale rounded to fp16 first, so that the stored scale is the one used.
    at::Tensor scale = (m.abs().amax(1, /*keepdim=*/true) / 127.0).clamp_min(1e-8).to(at::kHalf);
    at::Tensor codes = (m / scale.to(at::kFloat)).round().clamp(-127, 127).to(at::kChar);
    return {codes, scale};
  }
  const int64_t groups = (cols + kInt4Group - 1) / kInt4Group;
  const int64_t padded = groups * kInt4Group;
  at::Tensor g = at::constant_pad_nd(m, {0, padded - cols}).view({rows, groups, kInt4Group});
  at::Tensor scale = (g.abs().amax(2) / 7.0).clamp_min(1e-8).to(at::kHalf);  // [rows, groups]
  at::Tensor codes = (g / scale.to(at::kFloat).unsqueeze(2)).round().clamp(-8, 7);
  at::Tensor u = (codes + 8).to(at::kByte).view({rows, padded / 2, 2});
  at::Tensor packed = at::bitwise_or(u.select(2, 0), at::__lshift__(u.select(2, 1), 4));
  return {packed.contiguous(), scale};
}

at::Tensor dequantize_weight(const QuantizedWeight& q, int bits, at::IntArrayRef sizes) {
  check_bits(bits);
  const int64_t rows = row_count(sizes);
  const int64_t cols = col_count(sizes);
  if (sizes.size() < 2 || q.codes.dim() != 2 || q.scales.dim() != 2 || q.codes.size(0) != rows ||
      q.scales.size(0) != rows)
    throw std::invalid_argument("weight quantization: codes/scales do not match the weight shape");
  if (bits == 8) {
    if (q.codes.size(1) != cols || q.scales.size(1) != 1)
      throw std::invalid_argument("weight quantization: int8 codes do not match the weight shape");
    return (q.codes.to(at::kFloat) * q.scales.to(at::kFloat)).view(sizes).contiguous();
  }
  const int64_t groups = (cols + kInt4Group - 1) / kInt4Group;
  if (q.codes.size(1) != groups * kInt4Group / 2 || q.scales.size(1) != groups)
    throw std::invalid_argument("weight quantization: int4 codes do not match the weight shape");
  at::Tensor lo = at::bitwise_and(q.codes, 15);
  at::Tensor hi = at::__rshift__(q.codes, 4);
  at::Tensor codes = at::stack({lo, hi}, 2).to(at::kFloat).sub_(8).view({rows, groups, kInt4Group});
  at::Tensor w = (codes * q.scales.to(at::kFloat).unsqueeze(2)).view({rows, groups * kInt4Group});
  return w.narrow(1, 0, cols).contiguous().view(sizes);
}

}  // namespace concord::pipeline
