#include "sparse_conv.hpp"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <vector>

namespace concord::plugins {

namespace {

// out[index[i]] += src[i] into a zero [num_rows, C] tensor, as an autograd
// function: the forward is a plain loop over rows (ATen's CPU index_add_ issues
// one vectorised add per row, which dominated the sparse backbone's time), the
// backward gathers the output gradient's rows (index_select). Off the CPU the
// forward uses index_add_.
struct ScatterAddRows : public torch::autograd::Function<ScatterAddRows> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& src,
                            const at::Tensor& index, int64_t num_rows) {
    ctx->save_for_backward({index});
    at::Tensor out = at::zeros({num_rows, src.size(1)}, src.options());
    if (!src.is_cpu()) return out.index_add_(0, index, src);
    const at::Tensor s = src.contiguous();
    const int64_t n = s.size(0), c = s.size(1);
    const int64_t* rows = index.data_ptr<int64_t>();
    AT_DISPATCH_FLOATING_TYPES(s.scalar_type(), "second_scatter_add_rows", [&] {
      const scalar_t* in = s.data_ptr<scalar_t>();
      scalar_t* o = out.data_ptr<scalar_t>();
      for (int64_t i = 0; i < n; ++i) {
        scalar_t* dst = o + rows[i] * c;
        const scalar_t* row = in + i * c;
        for (int64_t j = 0; j < c; ++j) dst[j] += row[j];
      }
    });
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const at::Tensor index = ctx->get_saved_variables()[0];
    return {grad[0].index_select(0, index), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

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
  // Per offset k: gather the input rows and multiply by W[k] (one GEMM each);
  // then one scatter-add of all products into the output rows.
  std::vector<at::Tensor> products, out_rows;
  for (int64_t k = 0; k < k_count; ++k) {
    const at::Tensor& in_rows = rules.in_rows[static_cast<size_t>(k)];
    if (in_rows.numel() == 0) continue;
    products.push_back(features.index_select(0, in_rows.to(device)).mm(weight.select(0, k)));
    out_rows.push_back(rules.out_rows[static_cast<size_t>(k)]);
  }
  if (products.empty()) {  // no pair: no input site (every output has one)
    return at::zeros({rules.num_out(), weight.size(2)}, features.options());
  }
  const at::Tensor index = at::cat(out_rows).to(device);
  return ScatterAddRows::apply(at::cat(products), index, rules.num_out());
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
