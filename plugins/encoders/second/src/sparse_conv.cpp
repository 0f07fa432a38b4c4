#include "sparse_conv.hpp"

#include <ATen/ATen.h>

#include <cmath>

namespace concord::plugins {

at::Tensor sparse_conv_features(const at::Tensor& features, const RuleBook& rules,
                                const at::Tensor& weight) {
  const int64_t k_count = static_cast<int64_t>(rules.in_rows.size());
  TORCH_CHECK(weight.dim() == 3 && weight.size(0) == k_count &&
                  rules.out_rows.size() == rules.in_rows.size(),
              "second sparse conv: weight must be [K, Cin, Cout] with K = ", k_count,
              " kernel offsets, got ", weight.sizes());
  TORCH_CHECK(features.dim() == 2 && features.size(1) == weight.size(1),
              "second sparse conv: features must be [N, ", weight.size(1), "], got ",
              features.sizes());
  const at::Device device = features.device();
  at::Tensor out = at::zeros({rules.num_out(), weight.size(2)}, features.options());
  for (int64_t k = 0; k < k_count; ++k) {
    const at::Tensor& in_rows = rules.in_rows[static_cast<size_t>(k)];
    if (in_rows.numel() == 0) continue;
    const at::Tensor gathered = features.index_select(0, in_rows.to(device));
    out.index_add_(0, rules.out_rows[static_cast<size_t>(k)].to(device),
                   gathered.mm(weight.select(0, k)));
  }
  return out;
}

SparseConv3dImpl::SparseConv3dImpl(int64_t in_channels, int64_t out_channels,
                                   const ConvGeometry& geometry, bool submanifold)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      geometry_(geometry),
      submanifold_(submanifold) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1,
              "second sparse conv: channel counts must be >= 1, got ", in_channels, " and ",
              out_channels);
  int64_t k_count = 1;
  for (size_t a = 0; a < 3; ++a) {
    TORCH_CHECK(geometry.kernel[a] >= 1 && geometry.stride[a] >= 1 && geometry.padding[a] >= 0,
                "second sparse conv: kernel and stride must be >= 1 and padding >= 0");
    if (submanifold) {
      TORCH_CHECK(geometry.kernel[a] % 2 == 1 && geometry.stride[a] == 1 &&
                      geometry.padding[a] == geometry.kernel[a] / 2,
                  "second submanifold conv: needs an odd kernel, stride 1 and padding kernel/2, "
                  "got kernel ",
                  geometry.kernel[a], " stride ", geometry.stride[a], " padding ",
                  geometry.padding[a]);
    }
    k_count *= geometry.kernel[a];
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * k_count));
  weight = register_parameter(
      "weight", at::empty({k_count, in_channels, out_channels}).uniform_(-bound, bound));
}

RuleBook SparseConv3dImpl::rules_for(const SparseTensor& x) const {
  if (submanifold_) {
    return build_submanifold_rules(x.indices, x.spatial_shape, x.batch_size, geometry_.kernel);
  }
  return build_strided_rules(x.indices, x.spatial_shape, x.batch_size, geometry_);
}

SparseTensor SparseConv3dImpl::forward(const SparseTensor& x, const RuleBook& rules) {
  TORCH_CHECK(x.features.dim() == 2 && x.features.size(1) == in_channels_,
              "second sparse conv: expected features [N, ", in_channels_, "], got ",
              x.features.sizes());
  TORCH_CHECK(x.features.size(0) == x.indices.size(0), "second sparse conv: ", x.features.size(0),
              " feature rows for ", x.indices.size(0), " sites");
  SparseTensor out;
  out.features = sparse_conv_features(x.features, rules, weight);
  out.indices = rules.out_indices.to(x.indices.device());
  out.spatial_shape = rules.out_shape;
  out.batch_size = x.batch_size;
  return out;
}

SparseConvBlockImpl::SparseConvBlockImpl(int64_t in_channels, int64_t out_channels,
                                         const ConvGeometry& geometry, bool submanifold) {
  conv_ = register_module("0", SparseConv3d(in_channels, out_channels, geometry, submanifold));
  norm_ = register_module(
      "1",
      torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(out_channels).eps(1e-3).momentum(0.01)));
}

SparseTensor SparseConvBlockImpl::forward(const SparseTensor& x, const RuleBook& rules) {
  SparseTensor y = conv_->forward(x, rules);
  const int64_t n = y.features.size(0);
  if (n == 0) return y;  // BatchNorm refuses an empty batch; nothing to normalise
  at::Tensor h;
  if (is_training() && n == 1) {
    h = at::batch_norm(y.features, norm_->weight, norm_->bias, norm_->running_mean,
                       norm_->running_var, /*training=*/false, 0.0, norm_->options.eps(),
                       /*cudnn_enabled=*/false);
  } else {
    h = norm_->forward(y.features);
  }
  y.features = at::relu(h);
  return y;
}

}  // namespace concord::plugins
