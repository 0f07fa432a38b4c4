#include "concord/eval/tensor_convert.hpp"

#include <stdexcept>
#include <string>

#include <ATen/ops/empty.h>

namespace concord::eval {

namespace {

/// Contiguous CPU float64 copy of a defined floating-point tensor of `dim` dimensions.
at::Tensor to_cpu_double(const at::Tensor& t, int64_t dim, const char* what, const char* expected) {
  if (!t.defined()) {
    throw std::invalid_argument(std::string(what) + ": undefined tensor, expected " + expected);
  }
  if (t.dim() != dim) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(t.dim()) +
                                "-D tensor, expected " + expected);
  }
  if (!at::isFloatingType(t.scalar_type())) {
    throw std::invalid_argument(std::string(what) + ": dtype " +
                                std::string(c10::toString(t.scalar_type())) +
                                ", expected a floating-point " + expected);
  }
  return t.to(at::kCPU, at::kDouble).contiguous();
}

}  // namespace

std::vector<Box7> boxes_from_tensor(const at::Tensor& boxes, const char* what) {
  const at::Tensor c = to_cpu_double(boxes, 2, what, "[K, 7] tensor");
  if (c.size(1) != 7) {
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(c.size(1)) +
                                " columns, expected [K, 7] boxes [x, y, z, h, w, l, yaw]");
  }
  const double* src = c.data_ptr<double>();
  std::vector<Box7> out(static_cast<std::size_t>(c.size(0)));
  for (Box7& box : out) {
    for (double& v : box) v = *src++;
  }
  return out;
}

std::vector<double> scores_from_tensor(const at::Tensor& scores, const char* what) {
  const at::Tensor c = to_cpu_double(scores, 1, what, "[K] tensor");
  const double* src = c.data_ptr<double>();
  return std::vector<double>(src, src + c.numel());
}

at::Tensor boxes_to_tensor(const std::vector<Box7>& boxes) {
  at::Tensor out =
      at::empty({static_cast<int64_t>(boxes.size()), 7}, at::TensorOptions().dtype(at::kFloat));
  float* dst = out.data_ptr<float>();
  for (const Box7& box : boxes) {
    for (double v : box) *dst++ = static_cast<float>(v);
  }
  return out;
}

at::Tensor scores_to_tensor(const std::vector<double>& scores) {
  at::Tensor out =
      at::empty({static_cast<int64_t>(scores.size())}, at::TensorOptions().dtype(at::kFloat));
  float* dst = out.data_ptr<float>();
  for (double v : scores) *dst++ = static_cast<float>(v);
  return out;
}

at::Tensor indices_to_tensor(const std::vector<int64_t>& indices) {
  at::Tensor out =
      at::empty({static_cast<int64_t>(indices.size())}, at::TensorOptions().dtype(at::kLong));
  int64_t* dst = out.data_ptr<int64_t>();
  for (int64_t v : indices) *dst++ = v;
  return out;
}

}  // namespace concord::eval
