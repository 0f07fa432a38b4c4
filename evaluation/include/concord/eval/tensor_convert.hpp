#pragma once
/// \file
/// Conversions between LibTorch tensors and the plain-C++ types of concord::eval.
/// The evaluation code works on CPU doubles internally; these are the only places
/// where tensors are read or created.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "concord/eval/box_geometry.hpp"

namespace concord::eval {

/// Copies `boxes` ([K, 7], floating point: float32 expected, float64/float16 accepted;
/// any device; values as Box7) into plain boxes. A defined [0, 7] tensor gives an empty
/// vector. `what` names the argument in error messages. Throws std::invalid_argument
/// when `boxes` is undefined, not 2-D with 7 columns, or not floating point.
std::vector<Box7> boxes_from_tensor(const at::Tensor& boxes, const char* what = "boxes");

/// Copies `scores` ([K], floating point, any device) into doubles. `what` names the
/// argument in error messages. Throws std::invalid_argument when `scores` is
/// undefined, not 1-D, or not floating point.
std::vector<double> scores_from_tensor(const at::Tensor& scores, const char* what = "scores");

/// [K, 7] float32 CPU tensor holding `boxes`.
at::Tensor boxes_to_tensor(const std::vector<Box7>& boxes);

/// [K] float32 CPU tensor holding `scores`.
at::Tensor scores_to_tensor(const std::vector<double>& scores);

/// [K] int64 CPU tensor holding `indices`.
at::Tensor indices_to_tensor(const std::vector<int64_t>& indices);

}  // namespace concord::eval
