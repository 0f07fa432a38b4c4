#pragma once
/// \file
/// STAMP (ICLR 2025) adapter/reverter pair and its feature-matching loss
/// (reference/field-conventions.md §6.1; official `fuse_modules/adapter.py`
/// `AdapterConvNext`, `loss/adapter_loss.py`). The sender maps an agent's local BEV
/// feature F_M into the shared protocol space of agent m0 (adapter A); the receiver maps a
/// protocol message back into the agent's own local space (reverter R). Only A and R are
/// trained; encoders, fusion and heads stay frozen.

#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

#include "concord/modules/alignment_loss.hpp"
#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "convnext.hpp"

namespace concord::plugins::stamp {

/// AdapterConvNext: bilinear resize (align_corners false) to the target grid when the size
/// differs, 1x1 conv in_channels -> hidden (bias), `blocks` ConvNeXt blocks (7x7 depthwise,
/// LayerNorm in fp32, MLP 4x, GELU, layer scale 1e-6; shared with the negocollab plugin),
/// 1x1 conv hidden -> out_channels (bias). The official 3x3 "smoothing" conv is unused there
/// and absent here. x [N, in_channels, H, W] float32 -> [N, out_channels, out_h, out_w].
/// Trainable parameters: (in + 1)·hid + blocks·(8 hid² + 58 hid) + (hid + 1)·out;
/// 117760 for 64 -> 64 with hidden 64 and 3 blocks.
class ConvNeXtAdapterImpl : public torch::nn::Module {
 public:
  /// Throws c10::Error when a channel count or `blocks` is < 1.
  ConvNeXtAdapterImpl(int64_t in_channels, int64_t out_channels, int64_t hidden_channels,
                      int64_t blocks);
  /// x: [N, in_channels, H, W] float32 (or bf16 under autocast), any frame. Throws c10::Error
  /// on another rank/channel count or out_h/out_w < 1.
  at::Tensor forward(const at::Tensor& x, int64_t out_h, int64_t out_w);

 private:
  int64_t in_channels_;
  torch::nn::Conv2d conv_in_{nullptr}, conv_out_{nullptr};
  negocollab::ConvNeXt blocks_{nullptr};
};
TORCH_MODULE(ConvNeXtAdapter);

/// Options of both factories (plugin.toml "sender"/"stamp" and "receiver"/"stamp").
/// Defaults: 64-channel features at 0.8 m on both sides, hidden 64, 3 blocks (official).
struct StampOptions {
  int64_t local_channels = 64;        ///< C_M of the agent's local feature
  double local_cell_size_m = 0.8;     ///< cell edge of the local BEV grid, m
  int64_t protocol_channels = 64;     ///< C_P of the protocol agent m0's feature
  double protocol_cell_size_m = 0.8;  ///< cell edge of m0's BEV grid, m
  int64_t hidden_channels = 64;       ///< width of the ConvNeXt stage (official 64)
  int64_t blocks = 3;                 ///< ConvNeXt blocks (official 3)
};

/// STAMP sender: the adapter A, local -> protocol. 117760 trainable parameters at the
/// defaults. Throws c10::Error from the constructor on invalid options.
class StampSender : public Sender {
 public:
  explicit StampSender(const StampOptions& options);
  /// local: [B, local_channels, H, W] float32, agent frame, local grid. Returns the protocol
  /// message A(F_M) [B, protocol_channels, H_P, W_P] with H_P = floor(H · local cell /
  /// protocol cell) (negocollab::resized_cells). Throws c10::Error on another shape.
  at::Tensor forward(const at::Tensor& local) override;
  /// Same as forward (the agent's feature in the protocol space).
  at::Tensor local_prompt(const at::Tensor& local) override;
  const StampOptions& options() const { return options_; }

 private:
  StampOptions options_;
  ConvNeXtAdapter adapter_{nullptr};
};

/// STAMP receiver: the reverter R, protocol -> local. 117760 trainable parameters at the
/// defaults. Throws c10::Error from the constructor on invalid options.
class StampReceiver : public Receiver {
 public:
  explicit StampReceiver(const StampOptions& options);
  /// common: [N, protocol_channels, H_P, W_P] float32 protocol messages, ego frame.
  /// ego_local: [1 or N, C, H_P, W_P] ego prompt; R does not use it (STAMP reverts each
  /// message on its own), only its rank is checked. Returns revert(common). Throws
  /// c10::Error on wrong shapes.
  at::Tensor forward(const at::Tensor& common, const at::Tensor& ego_local) override;
  /// R(F_P): [N, protocol_channels, H_P, W_P] -> [N, local_channels, H_L, W_L] with
  /// H_L = floor(H_P · protocol cell / local cell). Throws c10::Error on another shape.
  at::Tensor revert(const at::Tensor& protocol);
  const StampOptions& options() const { return options_; }

 private:
  StampOptions options_;
  ConvNeXtAdapter reverter_{nullptr};
};

/// Weights of the three feature terms (official train_adapter defaults, field-conventions
/// §6.1): 9·‖F_M − R(F_P)‖² + 1·‖F_M − R(A(F_M))‖² + 10·‖F_P − A(F_M)‖².
struct StampLossWeights {
  double protocol_to_local = 9.0;   ///< reverting m0's feature must give the local feature
  double cycle = 1.0;               ///< adapt then revert must give the local feature back
  double local_to_protocol = 10.0;  ///< adapting the local feature must give m0's feature
};

/// The three weighted-in terms (each an unweighted mean squared error, 0-dim float32) and
/// their weighted sum `total`.
struct StampFeatureLoss {
  at::Tensor protocol_to_local;  ///< mean((F_M − R(F_P))²)
  at::Tensor cycle;              ///< mean((F_M − R(A(F_M)))²)
  at::Tensor local_to_protocol;  ///< mean((F_P − A(F_M))²)
  at::Tensor total;              ///< Σ weight · term
};

/// STAMP feature-matching loss from precomputed tensors (field-conventions §6.1 "Loss").
/// local F_M, reverted_protocol R(F_P), reverted_adapted R(A(F_M)): [B, C_M, H_L, W_L];
/// protocol F_P (m0's encoder on the same sample, agent frame), adapted A(F_M):
/// [B, C_P, H_P, W_P]; all float32. ‖·‖² is the mean over all elements (MSE). The task
/// losses (m0's head on A(F), the local head on R(·)) are the pipeline's. Throws c10::Error
/// when paired shapes differ.
StampFeatureLoss stamp_feature_loss(const at::Tensor& local, const at::Tensor& protocol,
                                    const at::Tensor& adapted, const at::Tensor& reverted_protocol,
                                    const at::Tensor& reverted_adapted,
                                    const StampLossWeights& weights = {});

/// Same, running A = sender and R = receiver: A(F_M) once, R on F_P and on A(F_M).
/// local: [B, local_channels, H_L, W_L]; protocol: [B, protocol_channels, H_P, W_P] with
/// the grid the sender produces. Throws c10::Error on shape mismatches.
StampFeatureLoss stamp_feature_loss(StampSender& sender, StampReceiver& receiver,
                                    const at::Tensor& local, const at::Tensor& protocol,
                                    const StampLossWeights& weights = {});

/// STAMP's training objective as the host's AlignmentLoss (plugin.toml "alignment"/"stamp"):
/// stamp_feature_loss with A = the sender's message and R = the receiver (StampReceiver::
/// revert, or for another receiver its forward with the sender's local_prompt as the
/// prompt). The host adds the task term and keeps everything but A and R frozen.
class StampAlignmentLoss : public AlignmentLoss {
 public:
  explicit StampAlignmentLoss(const StampLossWeights& weights) : weights_(weights) {}
  /// local F_M [B, C_M, H_L, W_L], message A(F_M) and target F_P [B, C_P, H_P, W_P],
  /// agent frame. Returns "protocol_to_local", "cycle", "local_to_protocol" (unweighted
  /// MSEs, float32) and "total" (the weighted sum); the ground truth is unused. Throws
  /// c10::Error on shape mismatches.
  LossTerms forward(Sender& sender, Receiver& receiver, const at::Tensor& local,
                    const at::Tensor& message, const at::Tensor& target,
                    const AlignmentGroundTruth& truth) override;
  const StampLossWeights& weights() const { return weights_; }

 private:
  StampLossWeights weights_;
};

}  // namespace concord::plugins::stamp
