#pragma once
/// \file
/// Sparse 3D convolution on a rule book (rule_book.hpp) and the SECOND
/// conv + BatchNorm1d + ReLU block (OpenPCDet/HEAL `post_act_block`,
/// opencood/models/sub_modules/sparse_backbone_3d.py). LibTorch has no sparse
/// convolution, so the gather → GEMM → scatter-add of spconv 1.2.1 is written
/// with ATen ops (index_select, mm, a row scatter-add equal to index_add_) inside
/// one autograd function whose backward applies the transposed rules (per
/// offset: dW_k = X_kᵀ·dY_k, dX += dY_k·W_kᵀ), checked against dense conv3d.

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "rule_book.hpp"
#include "sparse_tensor.hpp"

namespace concord::plugins {

/// out[N_out, Cout] = Σ_k scatter_add(out_rows[k], features[in_rows[k]] @ weight[k]):
/// features [N_in, Cin] float32 (rows addressed by `rules`), weight [K, Cin, Cout]
/// with K = rules.in_rows.size(). Sites without a pair get 0 (spconv, no bias).
/// Differentiable w.r.t. features and weight (first order); runs on the features'
/// device. Under CPU autocast the products run in the autocast dtype (bf16) and
/// are summed in the features' dtype, so the output stays float32.
/// Throws c10::Error on mismatched shapes or dtypes.
at::Tensor sparse_conv_features(const at::Tensor& features, const RuleBook& rules,
                                const at::Tensor& weight);

/// A sparse 3D convolution without bias: spconv `SubMConv3d` (submanifold = true,
/// stride 1, output sites = input sites) or `SparseConv3d` (submanifold = false).
/// Parameter `weight` [K, Cin, Cout] float32, K = kd·kh·kw in (z, y, x)
/// row-major order (spconv 1.2.1's [kd, kh, kw, Cin, Cout] flattened), initialised
/// U(−1/√(Cin·K), 1/√(Cin·K)) as a dense torch Conv3d (deviation: spconv's
/// kaiming_uniform on its 5-D layout gives a slightly different bound).
class SparseConv3dImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a size is < 1, or a submanifold conv has an even
  /// kernel or a stride/padding other than 1 / kernel/2.
  SparseConv3dImpl(int64_t in_channels, int64_t out_channels, const ConvGeometry& geometry,
                   bool submanifold);
  /// The rule book of this conv for the sites of `x` (submanifold or strided build).
  RuleBook rules_for(const SparseTensor& x) const;
  /// x.features [N, in_channels] → SparseTensor on rules.out_indices / out_shape
  /// with features [N_out, out_channels]. `rules` must come from rules_for() on x's
  /// sites (or a conv of the same geometry on the same sites: spconv's indice_key).
  SparseTensor forward(const SparseTensor& x, const RuleBook& rules);

  int64_t in_channels() const { return in_channels_; }        ///< Cin
  int64_t out_channels() const { return out_channels_; }      ///< Cout
  const ConvGeometry& geometry() const { return geometry_; }  ///< kernel, stride, padding (z, y, x)
  bool submanifold() const { return submanifold_; }           ///< SubMConv3d (true) or SparseConv3d

  at::Tensor weight;  ///< [K, in_channels, out_channels]

 private:
  int64_t in_channels_, out_channels_;
  ConvGeometry geometry_;
  bool submanifold_;
};
TORCH_MODULE(SparseConv3d);

/// HEAL `post_act_block`: sparse conv (submodule "0") → BatchNorm1d over the
/// active sites (submodule "1", eps 1e-3, momentum 0.01) → ReLU. Names match
/// HEAL's state_dict keys (`conv2.0.0.weight`, `conv2.0.1.running_mean`, ...).
/// A batch with a single active site in training mode is normalised with the
/// running statistics (BatchNorm cannot estimate a variance from one value);
/// no active site gives no feature.
class SparseConvBlockImpl : public torch::nn::Module {
 public:
  /// Same arguments and errors as SparseConv3dImpl.
  SparseConvBlockImpl(int64_t in_channels, int64_t out_channels, const ConvGeometry& geometry,
                      bool submanifold);
  /// The conv's rule book for the sites of x (SparseConv3dImpl::rules_for).
  RuleBook rules_for(const SparseTensor& x) const { return conv_->rules_for(x); }
  /// conv → BN → ReLU on the sites given by `rules` (see SparseConv3dImpl::forward).
  SparseTensor forward(const SparseTensor& x, const RuleBook& rules);
  /// The convolution (submodule "0").
  const SparseConv3d& conv() const { return conv_; }

 private:
  SparseConv3d conv_{nullptr};
  torch::nn::BatchNorm1d norm_{nullptr};
};
TORCH_MODULE(SparseConvBlock);

}  // namespace concord::plugins
