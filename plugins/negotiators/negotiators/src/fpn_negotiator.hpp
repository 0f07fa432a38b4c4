#pragma once
/// \file
/// NegoCollab's negotiator (paper §3.2.2 eq. 9-13, Figure 8; reference sheet §1.4,
/// `keyfeat_modules.Negotiator`): a shared ResNeXt feature pyramid over each modality, a
/// per-level estimator weighting, the per-level mean over modalities, deconvolution to the
/// common grid, concatenation and a shrink header.

#include <cstdint>
#include <vector>

#include "concord/modules/negotiator.hpp"
#include "estimator.hpp"
#include "resnext_blocks.hpp"
#include "shrink_header.hpp"

namespace concord::plugins::negotiators {

/// Options of the FPN negotiator; defaults are the official NGCB configuration.
struct FpnNegotiatorOptions {
  int64_t channels = 64;                              ///< C of the inputs and of P (C_uni)
  std::vector<int64_t> layer_nums{3, 4};              ///< Bottlenecks per level
  std::vector<int64_t> layer_strides{1, 2};           ///< stride of each level's first block
  std::vector<int64_t> num_filters{64, 64};           ///< channels of each level
  std::vector<int64_t> upsample_strides{1, 2};        ///< deblock stride; = cumulative stride
  std::vector<int64_t> num_upsample_filters{64, 64};  ///< channels after each deblock
  int64_t groups = 32;                                ///< ResNeXt cardinality
  int64_t width_per_group = 4;                        ///< ResNeXt base width
  bool estimator_sigmoid = true;  ///< sigmoid on the estimator (paper) or raw logit (official)
};

/// The ResNeXt-FPN negotiator. Levels are computed per modality (one trunk call each, as the
/// official loop over `feature_list`, so BatchNorm batch statistics are per modality in
/// training), weighted by their level's estimator and averaged over modalities. Each level's
/// deconvolved map is cropped (or zero-padded) to H x W, so odd sizes work; the official code
/// needs H and W divisible by the total stride.
class FpnNegotiator : public Negotiator {
 public:
  /// Throws concord::ConfigError for inconsistent options (list lengths, values < 1,
  /// upsample_strides[l] != product of layer_strides[0..l]).
  explicit FpnNegotiator(const FpnNegotiatorOptions& options);
  ~FpnNegotiator() override;
  /// locals: M >= 1 tensors [B, channels, H, W] float32 of one shape, on the common grid.
  /// Returns P [B, channels, H, W] float32, >= 0 (final ReLU). Throws c10::Error on an empty
  /// list, mismatched shapes or a wrong channel count.
  at::Tensor forward(const std::vector<at::Tensor>& locals) override;
  /// The options it was built with (validated).
  const FpnNegotiatorOptions& options() const { return options_; }

 private:
  FpnNegotiatorOptions options_;
  std::vector<ResNeXtStage> stages_;
  std::vector<Estimator> estimators_;
  std::vector<Deblock> deblocks_;
  ShrinkHeader shrink_{nullptr};
};

}  // namespace concord::plugins::negotiators
