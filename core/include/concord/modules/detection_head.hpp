#pragma once
/// \file
/// Detection head: fused BEV feature → per-anchor classification, box
/// regression and direction (reference/field-conventions.md §2.2-2.3).

#include <torch/nn/module.h>

#include "concord/export.hpp"

namespace concord {

/// Raw head outputs, A anchors per BEV cell.
struct HeadOutput {
  /// [B, A, H, W] float32 classification logits.
  at::Tensor cls;
  /// [B, 7A, H, W] float32 box residuals (dx, dy, dz, dw, dl, dh, dθ) per anchor, OpenCOOD encoding.
  at::Tensor reg;
  /// [B, 2A, H, W] float32 direction logits; undefined when the head has no direction branch.
  at::Tensor dir;
};

/// Abstract detection head.
class CONCORD_CORE_API DetectionHead : public torch::nn::Module {
 public:
  static constexpr const char* kKind = "head";
  ~DetectionHead() override;
  /// bev: [B, C, H, W] float32, ego frame. Returns raw per-anchor outputs on the same grid.
  virtual HeadOutput forward(const at::Tensor& bev) = 0;
};

}  // namespace concord
