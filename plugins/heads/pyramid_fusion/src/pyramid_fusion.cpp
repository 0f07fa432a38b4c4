#include "pyramid_fusion.hpp"

#include <ATen/ATen.h>
#include <torch/nn/modules/conv.h>

#include <numeric>
#include <string>

#include "blocks.hpp"
#include "concord/error.hpp"
#include "occupancy_loss.hpp"
#include "weighted_fuse.hpp"

namespace concord::plugins {

namespace {

constexpr double kScoreEpsilon = 1e-4;  // HEAL: score = sigmoid(logit) + 1e-4

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

std::string list_string(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

void check_options(const PyramidFusionOptions& o) {
  const size_t levels = o.layer_nums.size();
  if (levels == 0 || o.layer_strides.size() != levels || o.num_filters.size() != levels ||
      o.upsample_strides.size() != levels || o.num_upsample_filters.size() != levels) {
    throw ConfigError(
        "pyramid fusion: layer_nums, layer_strides, num_filters, upsample_strides and "
        "num_upsample_filters must be non-empty lists of one length, got " +
        list_string(o.layer_nums) + ", " + list_string(o.layer_strides) + ", " +
        list_string(o.num_filters) + ", " + list_string(o.upsample_strides) + ", " +
        list_string(o.num_upsample_filters));
  }
  for (const auto* list : {&o.layer_nums, &o.layer_strides, &o.num_filters, &o.upsample_strides,
                           &o.num_upsample_filters}) {
    for (int64_t v : *list) {
      if (v < 1)
        throw ConfigError("pyramid fusion: list values must be >= 1, got " + list_string(*list));
    }
  }
  bool any_weight = false;
  for (double w : o.occupancy_weights) {
    if (w < 0) throw ConfigError("pyramid fusion: occupancy_weights must be >= 0");
    any_weight = any_weight || w > 0;
  }
  if (any_weight && o.occupancy_weights.size() != levels) {
    throw ConfigError("pyramid fusion: occupancy_weights needs one weight per level (" +
                      std::to_string(levels) + "), got " +
                      std::to_string(o.occupancy_weights.size()));
  }
  if (o.in_channels < 1 || o.shrink_channels < 1) {
    throw ConfigError("pyramid fusion: in_channels and shrink_channels must be >= 1");
  }
}

}  // namespace

PyramidFusion::PyramidFusion(const PyramidFusionOptions& options) : options_(options) {
  check_options(options_);
  const size_t levels = options_.layer_nums.size();
  int64_t stride = 1;
  for (size_t l = 0; l < levels; ++l) {
    stride *= options_.layer_strides[l];
    level_strides_.push_back(stride);
    // Every level must come back to the same resolution: u_l / c_l == u_0 / c_0.
    if (options_.upsample_strides[l] * level_strides_[0] != options_.upsample_strides[0] * stride) {
      throw ConfigError(
          "pyramid fusion: upsample_strides " + list_string(options_.upsample_strides) +
          " do not bring the levels (cumulative strides " + list_string(level_strides_) +
          ") to one resolution; need upsample_strides[l] / cumulative_stride[l] "
          "equal for all levels");
    }
  }
  int64_t channels = options_.in_channels;
  int64_t concat_channels = 0;
  for (size_t l = 0; l < levels; ++l) {
    const std::string suffix = std::to_string(l);
    stages_.push_back(register_module(
        "level_" + suffix,
        std::make_shared<pyramid::ResStageImpl>(
            channels, options_.num_filters[l], options_.layer_nums[l], options_.layer_strides[l])));
    channels = options_.num_filters[l];
    occupancy_heads_.push_back(register_module(
        "occupancy_head_" + suffix,
        std::make_shared<torch::nn::Conv2dImpl>(torch::nn::Conv2dOptions(channels, 1, 1))));
    deblocks_.push_back(register_module(
        "deblock_" + suffix,
        std::make_shared<pyramid::UpsampleBlockImpl>(channels, options_.num_upsample_filters[l],
                                                     options_.upsample_strides[l])));
    concat_channels += options_.num_upsample_filters[l];
  }
  shrink_ = register_module("shrink", std::make_shared<pyramid::DoubleConvImpl>(
                                          concat_channels, options_.shrink_channels));
}

PyramidFusion::~PyramidFusion() = default;

std::pair<int64_t, int64_t> PyramidFusion::output_size(int64_t height, int64_t width) const {
  const int64_t up = options_.upsample_strides[0];
  const int64_t down = level_strides_[0];
  return {ceil_div(height * up, down), ceil_div(width * up, down)};
}

FusionOutput PyramidFusion::forward(const FusionInput& input) {
  const at::Tensor& features = input.features;
  TORCH_CHECK(features.defined() && features.dim() == 4 && features.size(1) == options_.in_channels,
              "pyramid fusion: features must be [N, ", options_.in_channels, ", H, W], got ",
              features.defined() ? features.sizes() : at::IntArrayRef{});
  const int64_t n = features.size(0);
  const int64_t height = features.size(2);
  const int64_t width = features.size(3);
  const int64_t total =
      std::accumulate(input.agents_per_sample.begin(), input.agents_per_sample.end(), int64_t{0});
  TORCH_CHECK(total == n, "pyramid fusion: agents_per_sample sums to ", total,
              " but features hold ", n, " agents");
  for (int64_t count : input.agents_per_sample) {
    TORCH_CHECK(count >= 1, "pyramid fusion: every sample needs at least one agent (the ego)");
  }
  const at::Tensor& valid = input.valid;
  if (valid.defined()) {
    TORCH_CHECK(valid.dim() == 4 && valid.size(0) == n && valid.size(1) == 1 &&
                    valid.size(2) == height && valid.size(3) == width,
                "pyramid fusion: valid must be [", n, ", 1, ", height, ", ", width,
                "] like the features, got ", valid.sizes());
  }

  // Zero-pad to a multiple of the total stride so that every level aligns after upsampling.
  const int64_t multiple = level_strides_.back();
  const int64_t pad_h = ceil_div(height, multiple) * multiple - height;
  const int64_t pad_w = ceil_div(width, multiple) * multiple - width;
  at::Tensor x = features;
  at::Tensor mask;
  if (valid.defined() && options_.mask_scores) mask = valid.to(features.scalar_type());
  if (pad_h > 0 || pad_w > 0) {
    x = at::constant_pad_nd(x, {0, pad_w, 0, pad_h}, 0.0);
    if (mask.defined()) mask = at::constant_pad_nd(mask, {0, pad_w, 0, pad_h}, 0.0);
  }

  FusionOutput out;
  std::vector<at::Tensor> upsampled;
  for (size_t l = 0; l < stages_.size(); ++l) {
    const int64_t c = level_strides_[l];
    x = stages_[l]->forward(x);
    at::Tensor logits = occupancy_heads_[l]->forward(x);  // [N, 1, H_l, W_l]
    out.occupancy.push_back(
        logits.narrow(2, 0, ceil_div(height, c)).narrow(3, 0, ceil_div(width, c)));
    at::Tensor scores = at::sigmoid(logits) + kScoreEpsilon;
    if (mask.defined()) {
      scores = scores * (c == 1 ? mask : at::avg_pool2d(mask, {c, c}, {c, c}));
    }
    at::Tensor fused = pyramid::weighted_fuse(x, scores, input.agents_per_sample);
    upsampled.push_back(deblocks_[l]->forward(fused));
  }
  at::Tensor fused = shrink_->forward(upsampled.size() == 1 ? upsampled[0] : at::cat(upsampled, 1));
  const auto [out_h, out_w] = output_size(height, width);
  out.fused = fused.narrow(2, 0, out_h).narrow(3, 0, out_w);
  return out;
}

LossTerms PyramidFusion::loss(const FusionOutput& out, const at::Tensor& occupancy_labels) {
  bool any_weight = false;
  for (double w : options_.occupancy_weights) any_weight = any_weight || w > 0;
  if (!any_weight) return {};
  TORCH_CHECK(out.occupancy.size() == level_strides_.size(), "pyramid fusion loss: expected ",
              level_strides_.size(), " occupancy levels, got ", out.occupancy.size());
  const at::Tensor& first = out.occupancy.front();
  TORCH_CHECK(occupancy_labels.dim() == 4 && occupancy_labels.size(1) == 1 &&
                  occupancy_labels.size(0) == first.size(0) &&
                  occupancy_labels.size(2) == first.size(2) &&
                  occupancy_labels.size(3) == first.size(3),
              "pyramid fusion loss: occupancy labels must be [", first.size(0), ", 1, ",
              first.size(2), ", ", first.size(3), "] (one map per agent on the fusion grid), got ",
              occupancy_labels.sizes());
  at::Tensor labels = occupancy_labels.squeeze(1);
  pyramid::PyramidOccupancyLossOptions o;
  o.relative_downsample = level_strides_;
  o.level_weights = options_.occupancy_weights;
  o.pos_cls_weight = options_.occupancy_pos_weight;
  return {{"occupancy",
           pyramid::pyramid_occupancy_loss(out.occupancy, labels > 0.5, labels.abs() < 0.5, o)}};
}

}  // namespace concord::plugins
