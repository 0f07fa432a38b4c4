#include "fpn_negotiator.hpp"

#include <ATen/ATen.h>

#include <string>

#include "concord/error.hpp"
#include "local_checks.hpp"

namespace concord::plugins::negotiators {

namespace {

std::string list_string(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

void check_options(const FpnNegotiatorOptions& o) {
  const size_t levels = o.layer_nums.size();
  if (levels == 0 || o.layer_strides.size() != levels || o.num_filters.size() != levels ||
      o.upsample_strides.size() != levels || o.num_upsample_filters.size() != levels) {
    throw ConfigError(
        "FPN negotiator: layer_nums, layer_strides, num_filters, upsample_strides and "
        "num_upsample_filters must be non-empty lists of one length, got " +
        list_string(o.layer_nums) + ", " + list_string(o.layer_strides) + ", " +
        list_string(o.num_filters) + ", " + list_string(o.upsample_strides) + ", " +
        list_string(o.num_upsample_filters));
  }
  for (const auto* list : {&o.layer_nums, &o.layer_strides, &o.num_filters, &o.upsample_strides,
                           &o.num_upsample_filters}) {
    for (int64_t v : *list) {
      if (v < 1)
        throw ConfigError("FPN negotiator: list values must be >= 1, got " + list_string(*list));
    }
  }
  if (o.channels < 1 || o.groups < 1 || o.width_per_group < 1) {
    throw ConfigError("FPN negotiator: channels, groups and width_per_group must be >= 1");
  }
  int64_t stride = 1;
  for (size_t l = 0; l < levels; ++l) {
    stride *= o.layer_strides[l];
    // P must come back to the common grid: every level is upsampled by its cumulative stride.
    if (o.upsample_strides[l] != stride) {
      throw ConfigError("FPN negotiator: upsample_strides " + list_string(o.upsample_strides) +
                        " must equal the cumulative layer_strides (level " + std::to_string(l) +
                        " has stride " + std::to_string(stride) + ")");
    }
    if (o.num_filters[l] * o.width_per_group / 64 < 1) {
      throw ConfigError("FPN negotiator: num_filters " + list_string(o.num_filters) +
                        " x width_per_group / 64 must be >= 1");
    }
  }
}

/// Crops or zero-pads (bottom/right) `x` [N, C, h, w] to [N, C, height, width].
at::Tensor fit_to(const at::Tensor& x, int64_t height, int64_t width) {
  at::Tensor out = x;
  if (out.size(2) > height) out = out.narrow(2, 0, height);
  if (out.size(3) > width) out = out.narrow(3, 0, width);
  const int64_t pad_h = height - out.size(2);
  const int64_t pad_w = width - out.size(3);
  if (pad_h > 0 || pad_w > 0) out = at::constant_pad_nd(out, {0, pad_w, 0, pad_h}, 0.0);
  return out;
}

}  // namespace

FpnNegotiator::FpnNegotiator(const FpnNegotiatorOptions& options) : options_(options) {
  check_options(options_);
  int64_t in = options_.channels;
  int64_t concat_channels = 0;
  for (size_t l = 0; l < options_.layer_nums.size(); ++l) {
    const std::string suffix = std::to_string(l);
    stages_.push_back(register_module(
        "level_" + suffix,
        ResNeXtStage(in, options_.num_filters[l], options_.layer_nums[l], options_.layer_strides[l],
                     options_.groups, options_.width_per_group)));
    in = options_.num_filters[l];
    estimators_.push_back(
        register_module("estimator_" + suffix, Estimator(in, options_.estimator_sigmoid)));
    deblocks_.push_back(register_module(
        "deblock_" + suffix,
        Deblock(in, options_.num_upsample_filters[l], options_.upsample_strides[l])));
    concat_channels += options_.num_upsample_filters[l];
  }
  shrink_ = register_module("shrink_header", ShrinkHeader(concat_channels, options_.channels));
}

FpnNegotiator::~FpnNegotiator() = default;

at::Tensor FpnNegotiator::forward(const std::vector<at::Tensor>& locals) {
  check_locals(locals, options_.channels, "FPN");
  const int64_t height = locals.front().size(2);
  const int64_t width = locals.front().size(3);
  const size_t levels = stages_.size();

  // Eq. 9-10: U_l^(m) = layer_l(U_{l-1}^(m)), weighted by C_l^(m) = estimator_l(U_l^(m)).
  std::vector<std::vector<at::Tensor>> weighted(levels);
  for (const at::Tensor& local : locals) {
    at::Tensor u = local;
    for (size_t l = 0; l < levels; ++l) {
      u = stages_[l]->forward(u);
      weighted[l].push_back(estimators_[l]->forward(u));
    }
  }
  // Eq. 11-13: per-level mean over modalities, upsampled to the common grid, concatenated, shrunk.
  std::vector<at::Tensor> upsampled;
  for (size_t l = 0; l < levels; ++l) {
    at::Tensor p_l = mean_over_modalities(weighted[l]);
    upsampled.push_back(fit_to(deblocks_[l]->forward(p_l), height, width));
  }
  return shrink_->forward(upsampled.size() == 1 ? upsampled.front() : at::cat(upsampled, 1));
}

}  // namespace concord::plugins::negotiators
