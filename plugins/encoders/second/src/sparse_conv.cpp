#include "sparse_conv.hpp"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace concord::plugins {

namespace {

// dst[rows[i]] += src[i] for the rows of src [M, C] (dst [N, C] contiguous, same
// dtype). A plain loop on the CPU: ATen's CPU index_add_ issues one vectorised
// add per row, which costs more than the arithmetic here; index_add_ elsewhere.
void scatter_add_rows(at::Tensor& dst, const at::Tensor& src, const at::Tensor& rows) {
  if (!dst.is_cpu()) {
    dst.index_add_(0, rows, src);
    return;
  }
  TORCH_INTERNAL_ASSERT(dst.is_contiguous() && dst.scalar_type() == src.scalar_type());
  const at::Tensor s = src.contiguous();
  const at::Tensor r = rows.contiguous();
  const int64_t n = s.size(0), c = s.size(1);
  const int64_t* row = r.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(s.scalar_type(), "second_scatter_add_rows", [&] {
    const scalar_t* in = s.data_ptr<scalar_t>();
    scalar_t* out = dst.data_ptr<scalar_t>();
    for (int64_t i = 0; i < n; ++i) {
      scalar_t* d = out + row[i] * c;
      const scalar_t* v = in + i * c;
      for (int64_t j = 0; j < c; ++j) d[j] += v[j];
    }
  });
}

// Rows a product over M_k pairs runs on. oneDNN, which runs bf16 matrix products
// on the CPU, builds (JITs) a kernel per distinct shape, and M_k changes with every
// offset of every frame: at 4700 x 64 x 64 a fresh shape per call ran at 72 GFLOP/s
// against 382 for a repeated one. Rounding M up to at most 8 sizes per octave (at
// most 12.5% padding) lets the primitive cache hit; fp32 (BLAS, no JIT) runs as is.
int64_t product_rows(int64_t m, at::ScalarType compute, bool cpu) {
  if (!cpu || compute == at::kFloat || compute == at::kDouble) return m;
  if (m <= 64) return 64;
  const int64_t octave = int64_t{1} << (63 - __builtin_clzll(static_cast<uint64_t>(m)));
  const int64_t step = std::max<int64_t>(64, octave / 8);
  return (m + step - 1) / step * step;
}

// The whole sparse convolution as one autograd function, so that the per-offset
// temporaries ([M_k, C], ~1 MB) stay in cache instead of being concatenated and
// kept for the backward pass. in_index / out_index: the rule book's pairs of all
// offsets, concatenated; offsets: CPU int64 [K + 1] prefix sums of M_k.
//   forward:  out[out_k] += features[in_k] @ W_k
//   backward: dW_k = features[in_k]ᵀ @ dout[out_k];  dfeatures[in_k] += dout[out_k] @ W_kᵀ
// compute_dtype: the dtype of the matrix products (bf16 under CPU autocast, as
// autocast runs mm); the sums over offsets and the gradients stay in the
// features' dtype, so bf16 rounds each product once and never the accumulation.
// Each offset's rows are gathered into one reused buffer of product_rows(M_k)
// rows; the rows past M_k are ignored (forward, input gradient) or, for the
// weight gradient, multiplied by zeroed gradient rows.
struct SparseConvFunction : public torch::autograd::Function<SparseConvFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& features,
                            const at::Tensor& weight, const at::Tensor& in_index,
                            const at::Tensor& out_index, const at::Tensor& offsets, int64_t num_out,
                            int64_t compute_dtype) {
    ctx->save_for_backward({features, weight, in_index, out_index, offsets});
    ctx->saved_data["compute_dtype"] = compute_dtype;
    const auto compute = static_cast<at::ScalarType>(compute_dtype);
    const bool cpu = features.is_cpu();
    at::Tensor out = at::zeros({num_out, weight.size(2)}, features.options());
    const at::Tensor w = weight.to(compute);
    const at::Tensor x_all = features.to(compute);
    const int64_t* off = offsets.data_ptr<int64_t>();
    at::Tensor x =
        at::zeros({product_rows(max_pairs(off, weight.size(0)), compute, cpu), weight.size(1)},
                  x_all.options());
    for (int64_t k = 0; k < weight.size(0); ++k) {
      const int64_t m = off[k + 1] - off[k];
      if (m == 0) continue;
      at::Tensor rows = x.narrow(0, 0, m);
      at::index_select_out(rows, x_all, 0, in_index.narrow(0, off[k], m));
      const at::Tensor y = x.narrow(0, 0, product_rows(m, compute, cpu)).mm(w.select(0, k));
      scatter_add_rows(out, y.narrow(0, 0, m).to(out.scalar_type()),
                       out_index.narrow(0, off[k], m));
    }
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &features = saved[0], &weight = saved[1], &in_index = saved[2],
                     &out_index = saved[3], &offsets = saved[4];
    const auto compute = static_cast<at::ScalarType>(ctx->saved_data["compute_dtype"].toInt());
    const bool cpu = features.is_cpu();
    const at::Tensor grad = grads[0].contiguous().to(compute);
    const bool want_features = ctx->needs_input_grad(0), want_weight = ctx->needs_input_grad(1);
    at::Tensor grad_features = want_features ? at::zeros(features.sizes(), features.options())
                                             : at::Tensor();  // contiguous
    at::Tensor grad_weight = want_weight ? at::zeros_like(weight) : at::Tensor();
    const at::Tensor w = weight.to(compute);
    const at::Tensor x_all = want_weight ? features.to(compute) : at::Tensor();
    const int64_t* off = offsets.data_ptr<int64_t>();
    const int64_t rows_max = product_rows(max_pairs(off, weight.size(0)), compute, cpu);
    at::Tensor g = at::zeros({rows_max, weight.size(2)}, grad.options());
    at::Tensor x =
        want_weight ? at::zeros({rows_max, weight.size(1)}, x_all.options()) : at::Tensor();
    for (int64_t k = 0; k < weight.size(0); ++k) {
      const int64_t m = off[k + 1] - off[k];
      if (m == 0) continue;
      const int64_t mp = product_rows(m, compute, cpu);
      const at::Tensor in_k = in_index.narrow(0, off[k], m);
      at::Tensor g_rows = g.narrow(0, 0, m);
      at::index_select_out(g_rows, grad, 0, out_index.narrow(0, off[k], m));
      if (want_weight) {
        if (mp > m) g.narrow(0, m, mp - m).zero_();  // padding rows add nothing to dW
        at::Tensor x_rows = x.narrow(0, 0, m);
        at::index_select_out(x_rows, x_all, 0, in_k);
        grad_weight.select(0, k).copy_(x.narrow(0, 0, mp).t().mm(g.narrow(0, 0, mp)));
      }
      if (want_features) {
        const at::Tensor gx = g.narrow(0, 0, mp).mm(w.select(0, k).t());
        scatter_add_rows(grad_features, gx.narrow(0, 0, m).to(grad_features.scalar_type()), in_k);
      }
    }
    return {grad_features, grad_weight,  at::Tensor(), at::Tensor(),
            at::Tensor(),  at::Tensor(), at::Tensor()};
  }

  // The largest M_k over the K offsets (offsets: prefix sums, [K + 1]).
  static int64_t max_pairs(const int64_t* off, int64_t k_count) {
    int64_t m = 0;
    for (int64_t k = 0; k < k_count; ++k) m = std::max(m, off[k + 1] - off[k]);
    return m;
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
  TORCH_CHECK(features.scalar_type() == weight.scalar_type(), "second sparse conv: features are ",
              features.scalar_type(), " but the weight is ", weight.scalar_type());
  const at::Device device = features.device();
  if (rules.num_pairs() == 0) {  // no pair: no input site (every output has one)
    return at::zeros({rules.num_out(), weight.size(2)}, features.options());
  }
  at::Tensor offsets = at::zeros({k_count + 1}, at::kLong);
  int64_t* off = offsets.data_ptr<int64_t>();
  for (int64_t k = 0; k < k_count; ++k)
    off[k + 1] = off[k] + rules.in_rows[static_cast<size_t>(k)].numel();
  const at::Tensor in_index = at::cat(rules.in_rows).to(device);
  const at::Tensor out_index = at::cat(rules.out_rows).to(device);
  // Under CPU autocast the products run in its dtype (bf16), like a dense conv's.
  const at::ScalarType compute = features.is_cpu() && at::autocast::is_cpu_enabled()
                                     ? at::autocast::get_autocast_cpu_dtype()
                                     : features.scalar_type();
  return SparseConvFunction::apply(features, weight, in_index, out_index, offsets, rules.num_out(),
                                   static_cast<int64_t>(compute));
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
