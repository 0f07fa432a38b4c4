#pragma once
/// \file
/// Rule books of sparse 3D convolutions (Graham 2015; SECOND, Yan et al. 2018;
/// spconv 1.2.1 `get_indice_pairs`): for every kernel offset k the list of
/// (input row, output row) pairs that the offset connects. A convolution is then
/// out[out_rows[k]] += in[in_rows[k]] @ W[k] summed over k (sparse_conv.hpp).
///
/// Offsets follow at::conv3d: output site o and input site p are connected by
/// offset k = (kz·KH + ky)·KW + kx iff p = o·stride − padding + (kz, ky, kx) per
/// axis, so W[k] = conv3d weight[:, :, kz, ky, kx]ᵀ. Sites are looked up in an
/// open-addressing hash table keyed by the packed ((b·D + z)·H + y)·W + x; the
/// build runs on the CPU and is deterministic.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "sparse_tensor.hpp"

namespace concord::plugins {

/// Kernel, stride and padding per axis (z, y, x).
struct ConvGeometry {
  Shape3 kernel{3, 3, 3};
  Shape3 stride{1, 1, 1};
  Shape3 padding{0, 0, 0};
};

/// Output grid of a dense conv: floor((n + 2·pad − kernel) / stride) + 1 per axis.
/// Throws c10::Error when a kernel/stride is < 1, a padding < 0 or a size would be < 1.
Shape3 conv_output_shape(const Shape3& in_shape, const ConvGeometry& geometry);

/// The pairs of one sparse convolution.
struct RuleBook {
  /// [N_out, 4] int32 (b, z, y, x) of the output sites, sorted by (b, z, y, x)
  /// for a strided conv; equal to the input indices for a submanifold conv.
  at::Tensor out_indices;
  /// Output grid (D, H, W).
  Shape3 out_shape{0, 0, 0};
  /// Per kernel offset k (K = kernel volume entries): [M_k] int64 input rows and
  /// the matching [M_k] int64 output rows (both on the CPU).
  std::vector<at::Tensor> in_rows, out_rows;
  /// N_out.
  int64_t num_out() const { return out_indices.size(0); }
  /// Total number of pairs, sum of M_k.
  int64_t num_pairs() const;
};

/// Submanifold rule book (spconv `SubMConv3d`, padding kernel/2): the output sites
/// are the input sites, output i takes input j through offset k iff
/// p_j = p_i − kernel/2 + k. `indices` [N, 4] int32 (b, z, y, x) on any device
/// (copied to the CPU), distinct, inside `shape` and [0, batch_size).
/// Throws c10::Error on an even kernel, a malformed or out-of-grid index, or a duplicate site.
RuleBook build_submanifold_rules(const at::Tensor& indices, const Shape3& shape, int64_t batch_size,
                                 const Shape3& kernel = {3, 3, 3});

/// Regular (strided) sparse conv rule book (spconv `SparseConv3d`): every output
/// site reachable from an active input through some offset becomes active
/// (o = (p + padding − k) / stride when divisible and inside the output grid).
/// Output sites are sorted by (b, z, y, x). Same input requirements and errors
/// as build_submanifold_rules(), plus those of conv_output_shape().
RuleBook build_strided_rules(const at::Tensor& indices, const Shape3& shape, int64_t batch_size,
                             const ConvGeometry& geometry);

}  // namespace concord::plugins
