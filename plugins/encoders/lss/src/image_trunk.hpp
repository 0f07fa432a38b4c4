#pragma once
/// \file
/// Interface of the LSS image trunks: RGB images → stride-8 feature map from
/// which the depth and context heads are computed (HEAL
/// models/sub_modules/lss_submodule.py `CamEncode`, `CamEncode_Resnet101`).

#include <torch/nn/module.h>

#include <cstdint>

namespace concord::plugins::lss {

/// An image trunk of total stride kStride. Input [N, 3, H, W] float32
/// (normalised RGB) → [N, out_channels(), ceil(H / 8), ceil(W / 8)].
class ImageTrunk : public torch::nn::Module {
 public:
  /// Feature stride, image px per feature cell (HEAL `downsample` 8).
  static constexpr int64_t kStride = 8;
  /// Throws c10::Error when x is not [N, 3, H, W].
  virtual at::Tensor forward(const at::Tensor& x) = 0;
  /// Channels of forward()'s output.
  virtual int64_t out_channels() const = 0;
};

}  // namespace concord::plugins::lss
