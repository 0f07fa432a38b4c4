#pragma once
/// \file
/// Anchor head of OpenCOOD/HEAL (`cls_head`, `reg_head`, `dir_head`: 1x1 convs);
/// reference/field-conventions.md §2.2-2.3.

#include <torch/nn/modules/conv.h>

#include "concord/modules/detection_head.hpp"

namespace concord::plugins {

/// Options of the anchor head (plugin.toml documents ranges).
struct AnchorHeadOptions {
  int64_t in_channels = 64;       ///< C of the input feature
  int64_t anchors_per_cell = 2;   ///< A
  bool direction = true;          ///< build the direction branch
  double prior_probability = 0.01;  ///< cls bias = -log((1 - p) / p)
};

/// 1x1-conv anchor head: cls [B, A, H, W], reg [B, 7A, H, W], dir [B, 2A, H, W].
class AnchorHead : public DetectionHead {
 public:
  explicit AnchorHead(const AnchorHeadOptions& options);
  /// bev: [B, C, H, W] float32. Throws c10::Error when C differs from in_channels.
  HeadOutput forward(const at::Tensor& bev) override;

 private:
  AnchorHeadOptions options_;
  torch::nn::Conv2d cls_{nullptr}, reg_{nullptr}, dir_{nullptr};
};

}  // namespace concord::plugins
